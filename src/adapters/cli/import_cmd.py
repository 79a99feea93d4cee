"""`hotline import FILE`: bulk import of JSON Lines actions (spec §4)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

import click

from adapters.cli.common import (
    current_config,
    errors_as_messages,
    open_store,
    quiet_option,
    show_progress,
    store_option,
)
from adapters.importer import BATCH_LINES, MAX_LINE_BYTES, Importer, ImportSummary


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    # Lines keep their terminators (\n or \r\n), so a rejected line is copied exactly.
    yield from stream


class RejectsFile:
    """Rejected lines, byte for byte, in line order.

    The path is opened before the first line is read, so a path that cannot
    be written is an error before anything is imported. A file that did not
    exist is created then, and removed again if nothing was rejected. The
    default path (`FILE.rejects.jsonl`, named after the input) is the
    import's own: a stale one is treated as created by this run. Any other
    file that already existed is never removed: it is overwritten only when
    this run rejects a line, and otherwise left exactly as it was.
    """

    def __init__(self, path: Path, owned: bool = False) -> None:
        self.path = path
        self.written = False
        try:
            try:
                self._file: BinaryIO = path.open("xb")
                self.created = True
            except FileExistsError:
                self._file = path.open("r+b")  # writable, and not truncated (yet)
                self.created = owned
        except OSError as e:
            raise click.BadParameter(f"cannot write {path}: {e.strerror or e}",
                                     param_hint="--rejects") from None

    def write(self, raw: bytes) -> None:
        if not self.written:
            self._file.seek(0)
            self._file.truncate()
            self.written = True
        # Exactly the bytes read: only the file's last line can lack its
        # newline, and it is also the last line written here.
        self._file.write(raw)
        self._file.flush()

    def close(self) -> None:
        self._file.close()
        if self.created and not self.written:
            self.path.unlink(missing_ok=True)


class ProgressBar:
    """Lines done and events/s on stderr; a null bar when quiet."""

    def __init__(self, total: int | None, quiet: bool) -> None:
        self.bar: Any = None  # tqdm, imported only when a bar is drawn (start-up)
        if show_progress(quiet):
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit=" lines", file=sys.stderr,
                            dynamic_ncols=True, mininterval=0.5)
        self.events = 0

    def update(self, lines: int, applied: int) -> None:
        self.events += applied
        if self.bar is None:
            return
        self.bar.update(lines)
        elapsed = self.bar.format_dict.get("elapsed") or 0
        if elapsed:
            self.bar.set_postfix_str(f"{self.events / elapsed:,.0f} events/s", refresh=False)

    def message(self, text: str) -> None:
        # Printed above the bar, which is redrawn below it; flushed so the
        # reasons come before the summary whatever buffers stderr.
        if self.bar is None:
            print(text, file=sys.stderr)
        else:
            self.bar.write(text, file=sys.stderr)
        sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def stopped_message(done: ImportSummary, error: BaseException) -> str:
    """The one line of an import the store stopped: the last line stored and
    the first line not stored."""
    return (f"import stopped after line {done.lines} ({done.line()} so far; "
            f"every line up to there is stored, line {done.lines + 1} and after are not): "
            f"{error}. Run it again to resume.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, allow_dash=True, dir_okay=False,
                                        path_type=Path))
@store_option
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Where rejected lines go (default FILE.rejects.jsonl; "
              "stdin.rejects.jsonl for '-').")
@click.option("--batch", default=BATCH_LINES, show_default=True, type=click.IntRange(min=1),
              help="Lines per transaction.")
@click.option("--max-line-bytes", default=MAX_LINE_BYTES, show_default=True,
              type=click.IntRange(min=1), help="Longer lines are rejected.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Processes that decide the lines, cases partitioned among them; "
              "one writer commits the batches in order.")
@quiet_option
@errors_as_messages
def import_command(
    file: Path, store: str, rejects: Path | None, batch: int, max_line_bytes: int,
    workers: int, quiet: bool,
) -> None:
    """Apply the actions in FILE (JSON Lines, '-' for stdin) in order.

    Each line is one action as a JSON object: "case", "action" (receive, assign,
    reply, callback, close, ...), "at" (ISO 8601) and the action's own fields,
    e.g. {"case": "XT20160801-0031", "action": "assign", "at": "2016-08-01T10:05",
    "lead": "县住建局"}. Every field: docs/import.md and docs/spec.md §4.

    Re-importing stores nothing new: lines already applied count as
    duplicates. Each rejected line is reported as 'line N: <reason>' on
    stderr and copied byte for byte into the rejects file. A summary
    (applied, duplicates, rejected) closes the run. Exit status 0 when
    nothing was rejected, 1 otherwise. An interrupted import can simply be
    run again.
    """
    stdin = str(file) == "-"
    rejects_path = rejects or Path("stdin.rejects.jsonl" if stdin else f"{file}.rejects.jsonl")
    if not stdin and rejects_path.resolve() == file.resolve():
        raise click.BadParameter("must not be the input file", param_hint="--rejects")
    sink = RejectsFile(rejects_path, owned=rejects is None)  # before any line is read
    with ExitStack() as stack:
        stack.callback(sink.close)
        hotline = open_store(store)
        stack.callback(hotline.close)
        bar = ProgressBar(None if stdin else _count_lines(file), quiet)
        stack.callback(bar.close)

        def on_reject(number: int, raw: bytes, reason: str) -> None:
            sink.write(raw)
            bar.message(f"line {number}: {reason}")

        stream = sys.stdin.buffer if stdin else stack.enter_context(file.open("rb"))
        importer = Importer(hotline, batch_lines=batch, max_line_bytes=max_line_bytes,
                            on_reject=on_reject, progress=bar.update, workers=workers,
                            config=current_config(store))
        try:
            summary = importer.run(_lines(stream))
        except Exception as e:  # the store failed mid-run: say how far it got
            raise click.ClickException(stopped_message(importer.summary, e)) from None
    click.echo(summary.line())
    if not sink.created and not sink.written:
        click.echo(f"note: nothing rejected; {rejects_path} was there before and is left "
                   "as it was", err=True)
    if summary.rejected:
        click.echo(f"rejected lines kept in {rejects_path}", err=True)
        sys.exit(1)
