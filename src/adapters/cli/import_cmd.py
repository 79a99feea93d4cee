"""`hotline import FILE`: bulk import of JSON Lines actions (spec §4)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click
from tqdm import tqdm

from adapters.cli.common import errors_as_messages, open_store, quiet_option, store_option
from adapters.importer import BATCH_LINES, MAX_LINE_BYTES, Importer


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    # Lines keep their terminators, so a rejected line is copied exactly.
    yield from stream


class RejectsFile:
    """Rejected lines, byte for byte, opened only when the first arrives."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO | None = None

    def write(self, raw: bytes) -> None:
        if self._file is None:
            self._file = self.path.open("wb")
        self._file.write(raw if raw.endswith(b"\n") else raw + b"\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@click.command("import")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@store_option
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Where rejected lines go (default FILE.rejects.jsonl).")
@click.option("--batch", default=BATCH_LINES, show_default=True,
              help="Lines per transaction.")
@click.option("--max-line-bytes", default=MAX_LINE_BYTES, show_default=True,
              help="Longer lines are rejected.")
@quiet_option
@errors_as_messages
def import_command(
    file: Path, store: str, rejects: Path | None, batch: int, max_line_bytes: int, quiet: bool
) -> None:
    """Apply the actions in FILE (JSON Lines, '-' for stdin) in order.

    Re-importing stores nothing new. Each rejected line is reported as
    'line N: <reason>' on stderr and copied into the rejects file. Exit
    status 0 when nothing was rejected, 1 otherwise.
    """
    stdin = str(file) == "-"
    rejects_path = rejects or Path("stdin.rejects.jsonl" if stdin else f"{file}.rejects.jsonl")
    total = None if stdin else _count_lines(file)
    sink = RejectsFile(rejects_path)
    bar = tqdm(total=total, unit=" lines", disable=quiet, file=sys.stderr, dynamic_ncols=True)
    events = 0

    def on_progress(lines: int, applied: int) -> None:
        nonlocal events
        events += applied
        bar.update(lines)
        rate = bar.format_dict.get("elapsed") or 0
        bar.set_postfix_str(f"{events / rate:,.0f} events/s" if rate else "", refresh=False)

    def on_reject(number: int, raw: bytes, reason: str) -> None:
        sink.write(raw)
        tqdm.write(f"line {number}: {reason}", file=sys.stderr)

    hotline = open_store(store)
    try:
        stream = sys.stdin.buffer if stdin else file.open("rb")
        with stream:
            importer = Importer(hotline, batch_lines=batch, max_line_bytes=max_line_bytes,
                                on_reject=on_reject, progress=on_progress)
            summary = importer.run(_lines(stream))
    finally:
        bar.close()
        sink.close()
        hotline.close()
    click.echo(summary.line())
    if summary.rejected:
        click.echo(f"rejected lines kept in {rejects_path}", err=True)
        sys.exit(1)
