"""An import killed part-way (a real process, SIGKILL) and run again ends
with exactly the events a clean run stores (issue 2, item 7).

The file is a few thousand generated lines with a few rejects sprinkled in,
imported in small batches. The first run is killed as soon as a batch has
been committed, the second once it has stored more, the third runs to the
end. The store is then compared, case by case, with a clean import into
another store: the same events (topic, version, business time, payload)
in the same order; only the recorded time and the hash chain that commits
to it may differ.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from tests.adapters.import_lines import count_events, generate_lines, store_contents
from tests.conftest import pg_schema_url

HOTLINE = Path(sys.executable).with_name("hotline")
CASES = 150  # about 950 lines: dozens of batches of 20, so each kill lands mid-file
BATCH = "20"
REJECTS = [b"not json at all\n", b'{"case": "K", "action": "escalate", "at": "2016-05-01"}\n']


@pytest.fixture
def clean_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second store of the same kind, for the clean run."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/clean.db"
    else:
        yield from pg_schema_url()


def import_file(path: Path, url: str, workers: str = "1") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(HOTLINE), "import", str(path), "--store", url, "--batch", BATCH, "--quiet",
         "--workers", workers],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def kill_once_stored_more_than(
    proc: subprocess.Popen[bytes], url: str, floor: int, linger: float = 0.0
) -> int:
    """SIGKILL `proc` `linger` seconds after the store holds more than
    `floor` events (then it is somewhere inside its next batches)."""
    deadline = time.monotonic() + 120
    while count_events(url) <= floor:
        assert proc.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import stored nothing in two minutes"
        time.sleep(0.005)
    time.sleep(linger)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return count_events(url)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_killed_import_run_again_stores_what_a_clean_run_stores(
    store_url: str, clean_url: str, tmp_path: Path, workers: str
) -> None:
    lines = generate_lines(CASES, seed=11).splitlines(keepends=True)
    for i, bad in enumerate(REJECTS, start=1):
        lines.insert(i * len(lines) // (len(REJECTS) + 1), bad)
    path = tmp_path / "year.jsonl"
    path.write_bytes(b"".join(lines))
    total = len(lines) - len(REJECTS)

    first = kill_once_stored_more_than(import_file(path, store_url, workers), store_url, 0)
    second = kill_once_stored_more_than(import_file(path, store_url, workers), store_url,
                                        first, 0.05)
    assert 0 < first < second < total, (first, second, total)

    resumed = import_file(path, store_url, workers)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 1, err  # the sprinkled rejects
    assert out.decode().strip() == (
        f"applied {total - second}, duplicates {second}, rejected {len(REJECTS)}")

    # The clean run is the reference, not the process under test: in-process.
    clean = CliRunner().invoke(cli, ["import", str(path), "--store", clean_url, "--batch", BATCH,
                                     "--quiet", "--rejects", str(tmp_path / "clean.rejects")])
    assert clean.stdout.strip() == f"applied {total}, duplicates 0, rejected {len(REJECTS)}"

    after_kills, clean_run = store_contents(store_url), store_contents(clean_url)
    assert sum(len(events) for events in clean_run.values()) == total
    assert after_kills == clean_run
    assert Path(f"{path}.rejects.jsonl").read_bytes() == b"".join(REJECTS)
