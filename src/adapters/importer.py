"""Bulk import of JSON Lines actions (spec §4).

Lines are applied in file order, many per transaction. A line that cannot be
read, parsed or applied is rejected with its line number and reason and kept
byte for byte; every other line is still applied. Re-importing stores
nothing new: each line's idempotency key is recorded with its event, so an
import killed at any moment and run again ends with a clean run's events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from workflow import Hotline, WorkflowError
from workflow.commands import Command, parse_command

MAX_LINE_BYTES = 256 * 1024
BATCH_LINES = 500


@dataclass
class ImportSummary:
    lines: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"applied {self.applied}, duplicates {self.duplicates}, rejected {self.rejected}"
        )
        return text + (f", blank lines skipped {self.blank}" if self.blank else "")


class Rejected(Exception):
    """A line that cannot become a command."""


def decode_line(raw: bytes, max_bytes: int = MAX_LINE_BYTES) -> dict[str, Any] | None:
    """One line's JSON object; None for a blank line; `Rejected` otherwise."""
    raw = raw.rstrip(b"\r\n")
    if len(raw) > max_bytes:
        raise Rejected(f"line too long ({len(raw)} bytes, limit {max_bytes})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Rejected(f"invalid UTF-8 at byte {e.start}") from None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise Rejected(f"malformed JSON: {e.msg} at column {e.colno}") from None
    if not isinstance(data, dict):
        raise Rejected(f"expected a JSON object, got {type(data).__name__}")
    return data


RejectSink = Callable[[int, bytes, str], None]
Progress = Callable[[int, int], None]  # (lines done, events applied) increments


class Importer:
    def __init__(
        self,
        hotline: Hotline,
        *,
        batch_lines: int = BATCH_LINES,
        max_line_bytes: int = MAX_LINE_BYTES,
        on_reject: RejectSink | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.hotline = hotline
        self.batch_lines = batch_lines
        self.max_line_bytes = max_line_bytes
        self.on_reject = on_reject or (lambda n, raw, reason: None)
        self.progress = progress or (lambda lines, events: None)

    def run(self, lines: Iterable[bytes]) -> ImportSummary:
        summary = ImportSummary()
        for batch in _batches(enumerate(lines, start=1), self.batch_lines):
            self._apply(batch, summary)
        return summary

    def _apply(self, batch: list[tuple[int, bytes]], summary: ImportSummary) -> None:
        commands: list[tuple[int, bytes, Command]] = []
        rejects: list[tuple[int, bytes, str]] = []
        for number, raw in batch:
            summary.lines += 1
            try:
                data = decode_line(raw, self.max_line_bytes)
                if data is None:
                    summary.blank += 1
                    continue
                commands.append((number, raw, parse_command(data)))
            except (Rejected, WorkflowError) as e:
                rejects.append((number, raw, str(e)))
        results = self.hotline.execute_batch([c for _, _, c in commands])
        applied_before = summary.applied
        for (number, raw, _), result in zip(commands, results, strict=True):
            if isinstance(result, WorkflowError):
                rejects.append((number, raw, str(result)))
            elif result.duplicate:
                summary.duplicates += 1
            else:
                summary.applied += 1
        for number, raw, reason in sorted(rejects, key=lambda r: r[0]):
            self._reject(summary, number, raw, reason)
        self.progress(len(batch), summary.applied - applied_before)

    def _reject(self, summary: ImportSummary, number: int, raw: bytes, reason: str) -> None:
        summary.rejected += 1
        summary.rejects.append((number, reason))
        self.on_reject(number, raw, reason)


def _batches(
    items: Iterator[tuple[int, bytes]], size: int
) -> Iterator[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
