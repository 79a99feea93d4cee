"""Export of case histories as JSON Lines, optionally with citizens redacted.

Each line is one stored event exactly as the chain covers it (topic, case
id, version, recorded time, payload) with its stored `chain` and the chain
of the event before it (`prev`), so anyone can recompute
`chain == sha256(prev + "\\n" + canonical content)` without the store.

Redaction (`salt` given; the CLI's default): a citizen's `name` and `phone`
become `hmac-sha256:<hex>` keyed by the salt (`workflow.masking.pseudonymise`:
the same person gets the same pseudonym within an export, and without the
salt the values cannot be guessed by trying phone numbers). The chain
covers the stored plaintext, so a redacted line cannot have its own link
recomputed: it carries
`redacted` (which fields) and `content_sha256` (the exporter's commitment to
the unredacted canonical content), and its `chain` is still pinned by the
next event's link and by the case head in the digest. See docs/audit.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from workflow.audit.rows import StoredRow, decode_state, payload_of
from workflow.chain import GENESIS, _plain, canonical, link_format
from workflow.masking import pseudonymise

FORMAT = "hotline-audit-export/1"


def export_lines(
    rows: Iterable[StoredRow], refs: dict[UUID, str], salt: bytes | None = None
) -> Iterator[dict[str, Any]]:
    """One JSON-ready line per row; rows in position order, whole cases."""
    prev: dict[UUID, str] = {}
    for row in rows:
        state = decode_state(row)
        payload = _plain(payload_of(state))
        line: dict[str, Any] = {
            "position": row.position, "case": refs.get(row.case_id, str(row.case_id)),
            "case_id": str(row.case_id), "version": row.version, "topic": row.topic,
            "recorded": state["timestamp"].isoformat(),
            "prev": prev.get(row.case_id, GENESIS), "chain": state["chain"],
            "payload": payload,
            # what decides how the event is read, covered by chain format 2
            "class_version": state.get("class_version", 1),
            "originator_topic": state.get("originator_topic"),
        }
        prev[row.case_id] = state["chain"]
        if salt is not None:
            reading = (line["class_version"], line["originator_topic"])
            content = canonical(row.topic, row.case_id, row.version, state["timestamp"], payload,
                                reading=reading)
            redacted = pseudonymise(payload, salt)
            if redacted:
                line["redacted"] = redacted
                line["content_sha256"] = hashlib.sha256(content).hexdigest()
        yield line


@dataclass
class ExportCheck:
    events: int = 0
    recomputed: int = 0
    pinned: int = 0  # redacted lines: chain pinned by links and heads only
    problems: list[str] = field(default_factory=list)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)


def check_export(lines: Iterable[dict[str, Any]]) -> ExportCheck:
    """Recompute every link of an export (without any store)."""
    check = ExportCheck()
    last: dict[str, tuple[int, str]] = {}
    for line in lines:
        check.events += 1
        case, version = line["case"], line["version"]
        where = f"case {case} version {version}"
        expected_prev = last.get(line["case_id"], (0, GENESIS))
        if (version, line["prev"]) != (expected_prev[0] + 1, expected_prev[1]):
            check.problems.append(f"{where}: does not follow version {expected_prev[0]}")
        elif line.get("redacted"):
            check.pinned += 1
        else:
            reading = (line.get("class_version", 1), line.get("originator_topic"))
            found = link_format(line["prev"], line["chain"], line["topic"],
                                UUID(line["case_id"]), version,
                                datetime.fromisoformat(line["recorded"]), line["payload"], reading)
            if found is None:
                check.problems.append(f"{where}: content does not match its chain hash")
            else:
                check.recomputed += 1
        last[line["case_id"]] = (version, line["chain"])
        check.heads[case] = (version, line["chain"])
    return check
