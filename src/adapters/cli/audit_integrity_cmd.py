"""`hotline audit digest | verify | export | verify-export`: tamper evidence."""

from __future__ import annotations

import hashlib
import json
import secrets
import sys
from datetime import UTC, datetime
from importlib.metadata import version as dist_version
from pathlib import Path

import click
from click.core import ParameterSource

from adapters.audit_store import refs_of
from adapters.cli.audit_common import audit_store, personal_data_option, warn_personal_data
from adapters.cli.common import PERIOD, errors_as_messages, store_option
from workflow.audit.digest import Digest, InvalidDigest, check_digest, compute_digest
from workflow.audit.export import FORMAT, check_export, export_lines
from workflow.audit.rows import StoredRow, decode_state
from workflow.audit.verify import verify_rows
from workflow.case import case_id
from workflow.masking import CITIZEN_FIELDS
from workflow.period import Period
from workflow.store_url import describe


@click.command("digest")
@click.option("--position", type=click.IntRange(min=0), help="Log position (default: its end).")
@store_option
@errors_as_messages
def digest_command(position: int | None, store: str) -> None:
    """Print the log digest; its last line is POS:HASH."""
    with audit_store(store) as audit_db:
        last = audit_db.max_position()
        pos = last if position is None else position
        if pos > last:
            raise click.ClickException(f"position {pos} is beyond the log's end ({last})")
        digest = compute_digest(audit_db.rows(stop=pos), pos)
    click.echo(f"store {describe(store)}, log position {pos} (hotline-digest/1)")
    click.echo(str(digest))


@click.command("verify")
@click.argument("case", required=False)
@click.option("--all", "all_", is_flag=True, help="Every case (the default without CASE).")
@click.option("--digest", "digest_text", metavar="POS:HASH",
              help="Also check the log against a digest taken earlier.")
@store_option
@errors_as_messages
def verify_command(case: str | None, all_: bool, digest_text: str | None, store: str) -> None:
    """Recompute the hash chains (and compare with a digest taken earlier).

    Exits 1 naming the first broken case and version when an event was
    altered, deleted, reordered or inserted, or when the log no longer
    matches the digest."""
    if case and all_:
        raise click.UsageError("give CASE or --all, not both")
    try:
        digest = Digest.parse(digest_text) if digest_text else None
    except InvalidDigest as e:
        raise click.BadParameter(str(e), param_hint="--digest") from None
    with audit_store(store) as audit_db:
        if digest is None:
            report = verify_rows(audit_db.rows(case=case_id(case) if case else None))
            breaks = report.breaks
        else:
            rows = list(audit_db.rows())
            chosen = [r for r in rows if r.case_id == case_id(case)] if case else rows
            report = verify_rows(chosen)
            breaks = report.breaks + check_digest(rows, digest, refs_of(rows))
    if case and report.events == 0:
        raise click.ClickException(f"case {case}: not found")
    what = f"case {case}" if case else f"{report.cases} case(s)"
    if breaks:
        for b in breaks:
            click.echo(f"BROKEN {b.line()}", err=True)
        first = breaks[0]
        raise click.ClickException(
            f"history broken: case {first.case} version {first.version} ({first.kind})")
    with_digest = f", matches digest at position {digest.position}" if digest else ""
    click.echo(f"OK: {report.events} event(s) of {what} verified{with_digest}")


def _select(rows: list[StoredRow], case: str | None, period: Period | None) -> list[StoredRow]:
    if case:
        return [r for r in rows if r.case_id == case_id(case)]
    assert period is not None
    span = period
    cohort = set()
    for r in rows:
        if r.version == 1:
            at = decode_state(r).get("at")
            if isinstance(at, datetime) and at.date() in span:
                cohort.add(r.case_id)
    return [r for r in rows if r.case_id in cohort]


@click.command("export")
@click.argument("case", required=False)
@click.option("--period", metavar="P", type=PERIOD,
              help="Cases received in P (2016Q3, 2016-09, A..B).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for events.jsonl and manifest.json.")
@click.option("--redact", is_flag=True, help="Replace citizens' names and phones by salted "
              "hashes (HMAC-SHA256): the default, kept for scripts that say so.")
@personal_data_option("events.jsonl")
@click.option("--salt", envvar="HOTLINE_AUDIT_SALT", help="Salt of the redaction (default: "
              "random, never written). The same salt gives the same pseudonyms across exports.")
@store_option
@errors_as_messages
def export_command(case: str | None, period: Period | None, out: Path, redact: bool,
                   personal_data: bool, salt: str | None, store: str) -> None:
    """Write the events of CASE, or of the cases received in --period, as JSON
    Lines with a manifest (digest, counts, tool version).

    Citizens' names and phones are replaced by salted hashes (the chain
    stays checkable) unless --with-personal-data is given."""
    if bool(case) == bool(period):
        raise click.UsageError("give either CASE or --period P")
    if personal_data and redact:
        raise click.UsageError("give either --redact (the default) or --with-personal-data")
    ctx = click.get_current_context()
    if personal_data and ctx.get_parameter_source("salt") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--salt is for the redaction, which --with-personal-data turns off")
    redact = not personal_data
    with audit_store(store) as audit_db:
        rows = list(audit_db.rows())
    position = rows[-1].position if rows else 0
    chosen = _select(rows, case, period)
    if case and not chosen:
        raise click.ClickException(f"case {case}: not found")
    key = (salt.encode() if salt else secrets.token_bytes(32)) if redact else None
    out.mkdir(parents=True, exist_ok=True)
    if personal_data:
        warn_personal_data(f"{out / 'events.jsonl'}")
    events_path = out / "events.jsonl"
    lines = list(export_lines(chosen, refs_of(rows), key))
    with events_path.open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    heads = {line["case"]: {"version": line["version"], "chain": line["chain"]}
             for line in lines}
    manifest = {
        "format": FORMAT, "tool": {"name": "hotline-workflow",
                                   "version": dist_version("hotline-workflow")},
        "exported_at": datetime.now(UTC).isoformat(),
        "store": describe(store),
        "selection": {"case": case, "period": period.label if period else None},
        "digest": str(compute_digest(rows, position)), "position": position,
        "counts": {"cases": len(heads), "events": len(lines),
                   "redacted_events": sum(1 for x in lines if "redacted" in x)},
        "personal_data": personal_data,
        "redaction": {"fields": [f"citizen.{f}" for f in CITIZEN_FIELDS],
                      "method": "hmac-sha256", "salt_written": False} if redact else None,
        "heads": heads,
        "files": {"events.jsonl": hashlib.sha256(events_path.read_bytes()).hexdigest()},
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"exported {len(lines)} event(s) of {len(heads)} case(s) to {out}")
    click.echo(manifest["digest"])


@click.command("verify-export")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify_export_command(directory: Path) -> None:
    """Check an export without the store: file hash, every link, the heads."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    events = directory / "events.jsonl"
    problems = []
    if hashlib.sha256(events.read_bytes()).hexdigest() != manifest["files"]["events.jsonl"]:
        problems.append("events.jsonl does not match the manifest's hash")
    with events.open(encoding="utf-8") as f:
        check = check_export(json.loads(line) for line in f)
    problems += check.problems
    heads = {case: {"version": v, "chain": c} for case, (v, c) in check.heads.items()}
    if heads != manifest["heads"]:
        problems.append("the cases' last versions or chains differ from the manifest's heads")
    for p in problems:
        click.echo(f"BROKEN {p}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"OK: {check.events} event(s); {check.recomputed} link(s) recomputed, "
               f"{check.pinned} redacted event(s) pinned by the next link and the heads")

