"""`hotline demo`: the main job, end to end, on a generated data set.

Generates 2016 Q3 (spec §6; or `--cases N` of benchmark volume), writes it
as JSON Lines, imports it through the importer `hotline import` uses,
catches the projections up and writes the bulletin: Markdown on stdout,
HTML (zh and en) and the report JSON (§5 plus `log`) into the output
directory. Everything else it says goes to stderr.

The store is `--store` when given, else `DIR/hotline.db`: the demo never
touches the deployment's own store (HOTLINE_STORE, hotline.toml or the
default `hotline.db`), nor its policy and calendar files, because its
figures are defined under the default policy and the packaged calendar.
Running it again is harmless: the import is idempotent, so the same store
gives the same bulletin, byte for byte.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from adapters.bulletin import render_html, render_markdown
from adapters.bulletin.assemble import bulletin_data, with_log
from adapters.cli.bulletin_cmd import LANGS, read_narrative
from adapters.cli.common import errors_as_messages, quiet_option
from adapters.cli.import_cmd import ProgressBar as ImportBar
from adapters.cli.import_cmd import RejectsFile
from adapters.cli.projections_cmd import ProgressBar as CatchUpBar
from adapters.config import Config, load_config, open_hotline, open_read_side
from adapters.demo import (
    EXEMPLARY_CASES,
    generate_seed_quarter,
    generate_volume,
    write_jsonl,
)
from adapters.importer import Importer
from projections import ReadSide
from projections.figures import METRICS_1
from workflow import Hotline, WorkflowError
from workflow.period import Period, parse_period

SEED_PERIOD = "2016Q3"
# Every seed-quarter case is closed by mid-November 2016 (adapters.demo):
# from 2016-12-01 on the figures are final. The year's end is the date the
# bulletin is read at, fixed so that the demo prints the same every day.
SEED_AS_OF = date(2016, 12, 31)
VOLUME_START = date(2016, 1, 1)


@dataclass(frozen=True)
class DemoSet:
    """What was generated, and which bulletin it gives."""

    path: Path
    lines: int
    period: Period
    as_of: date
    exemplary: tuple[str, ...] = ()  # the seed's own exemplary cases, pinned


def generate(out: Path, cases: int | None, seed: int) -> DemoSet:
    """Write the data set into `out` and say which period to report on."""
    if cases is None:
        path = out / "demo-2016q3.jsonl"
        lines = write_jsonl(generate_seed_quarter(seed), path)
        return DemoSet(path, lines, parse_period(SEED_PERIOD), SEED_AS_OF, EXEMPLARY_CASES)
    path = out / f"demo-volume-{cases}-seed{seed}.jsonl"
    last = [VOLUME_START]

    def tracked() -> Iterator[dict[str, Any]]:
        for line in generate_volume(cases, seed, VOLUME_START):
            last[0] = max(last[0], datetime.fromisoformat(line["at"]).date())
            yield line

    lines = write_jsonl(tracked(), path)
    # The volume's first quarter, as of its last action: every case of that
    # quarter has run its course by then.
    first = parse_period(f"{VOLUME_START.year}Q{(VOLUME_START.month - 1) // 3 + 1}")
    return DemoSet(path, lines, first, last[0])


def demo_store(store: str | None, out: Path) -> str:
    if store:
        return store
    db = out / "hotline.db"
    return f"sqlite:///{db}"  # an absolute path gives sqlite:////abs/hotline.db


def demo_config(url: str) -> Config:
    """The demo's configuration: the store alone, nothing from the environment."""
    return load_config(store=url, environ={}, config_file=None,
                       cwd=Path("/nonexistent-hotline-demo"))


def open_demo_store(url: str) -> Hotline:
    # Deliberately not the deployment's configuration (see the module doc):
    # no environment, no config file, so no policy or calendar files.
    try:
        return open_hotline(demo_config(url))
    except WorkflowError as e:
        raise click.ClickException(str(e)) from None
    except Exception as e:  # the driver's own error: say which store failed
        raise click.ClickException(f"cannot open store {url}: {e}") from None


def import_file(hotline: Hotline, path: Path, lines: int, quiet: bool) -> str:
    """`hotline import`'s path: the Importer, its progress bar and rejects file."""
    rejects_path = Path(f"{path}.rejects.jsonl")
    with ExitStack() as stack:
        sink = RejectsFile(rejects_path)
        stack.callback(sink.close)
        bar = ImportBar(lines, quiet)
        stack.callback(bar.close)

        def on_reject(number: int, raw: bytes, reason: str) -> None:
            sink.write(raw)
            bar.message(f"line {number}: {reason}")

        importer = Importer(hotline, on_reject=on_reject, progress=bar.update)
        summary = importer.run(stack.enter_context(path.open("rb")))
    if summary.rejected:
        # Generated data that the engine refuses is a bug in one or the other.
        raise click.ClickException(
            f"the importer rejected {summary.rejected} generated line(s) ({summary.line()}); "
            f"they are kept in {rejects_path}")
    return summary.line()


def note(quiet: bool, text: str) -> None:
    if not quiet:
        click.echo(text, err=True)


@click.command("demo")
@click.option("--store", metavar="URL", default=None,
              help="Event store for the demo (default: sqlite:///DIR/hotline.db; never "
              "HOTLINE_STORE or the configured store).")
@click.option("--out", "out", metavar="DIR", default="demo-out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the data set, the HTML bulletins and the report JSON go.")
@click.option("--cases", type=click.IntRange(min=1), default=None,
              help="Instead of the seed quarter, N cases of benchmark volume from 2016-01-01 "
              "(reported for 2016Q1).")
@click.option("--seed", default=7, show_default=True,
              help="Generator seed: moves dates, words, topics, units and fates; never "
              "the seed figures of spec §6 (docs/cli.md says which figures move).")
@click.option("--narrative", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Section 二 of the bulletin (Markdown), as for `hotline report`.")
@quiet_option
@errors_as_messages
def demo_command(store: str | None, out: Path, cases: int | None, seed: int,
                 narrative: Path | None, quiet: bool) -> None:
    """Generate 2016 Q3, import it, build the projections and print the bulletin.

    Markdown on stdout; DIR gets the JSON Lines data set, bulletin-<P>.zh.html,
    bulletin-<P>.en.html and report-<P>.json. Running it again on the same
    store imports nothing new and prints the same bulletin.
    """
    text = read_narrative(narrative)
    out.mkdir(parents=True, exist_ok=True)
    data_set = generate(out, cases, seed)
    note(quiet, f"generated {data_set.lines} actions into {data_set.path}")
    url = demo_store(store, out)
    read: ReadSide = open_read_side(demo_config(url), hotline=open_demo_store(url),
                                    owns_hotline=True)
    try:
        note(quiet, f"importing into {url}")
        note(quiet, import_file(read.hotline, data_set.path, data_set.lines, quiet))
        bar = CatchUpBar(quiet, "projections")
        head = read.catch_up(progress=bar)
        bar.close()
        note(quiet, f"projections at position {head}")
        # the seed demo's report stays the /1 report (it predates hotline-spec/2)
        report, position = read.report_at(data_set.period, data_set.as_of, catch_up=False,
                                          metrics=METRICS_1)
        data = bulletin_data(read, data_set.period, data_set.as_of, text,
                             report=report, position=position, pinned=data_set.exemplary)
    finally:
        read.close()
    label = data_set.period.label
    written = [out / f"report-{label}.json"]
    assert data.digest is not None
    written[0].write_text(json.dumps(with_log(report, position, data.digest),
                                     ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for lang in LANGS:
        page = out / f"bulletin-{label}.{lang}.html"
        page.write_text(render_html(data, lang), encoding="utf-8")
        written.append(page)
    for path in written:
        note(quiet, f"wrote {path}")
    sys.stdout.flush()
    click.echo(render_markdown(data, "zh"))
