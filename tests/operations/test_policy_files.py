"""Policy files: validated on load with key and line, nothing loaded on any
problem; each policy applies from its effective date and never rewrites
deadlines already recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from workflow import Hotline
from workflow.datafile import DataFileError
from workflow.policy_file import load_policy_book, load_policy_file, policy_toml

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOOD = (FIXTURES / "policy-2027.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(DataFileError) as caught:
        load_policy_file(path)
    assert str(path) in str(caught.value)
    return [(p.key, p.line, p.message) for p in caught.value.problems]


def test_a_good_file_loads_and_round_trips(tmp_path: Path) -> None:
    policy = load_policy_file(write(tmp_path, GOOD))
    assert (policy.id, policy.effective) == ("xiangtan/2027", date(2027, 1, 1))
    assert policy.reply_days_for("complaint", "normal") == 12
    assert policy.reply_days_for("consultation", "normal", "conduct_hotline") == 1
    again = load_policy_file(write(tmp_path, policy_toml(policy), "again.toml"))
    assert again == policy


@pytest.mark.parametrize(
    ("old", "new", "key", "line", "message"),
    [
        ("callback_days = 3", "callback_dayz = 3", "callback_dayz", 4, "unknown key"),
        ("complaint = 12", "complaint = -3", "reply_days.complaint", 13, "at least 1, got -3"),
        ("return_days = 1", "return_days = 0", "return_days", 5, "at least 1, got 0"),
        ("praise = 2", "praise = 2\ngossip = 4", "reply_days.gossip", 16, "unknown category"),
        ("conduct_hotline", "tv_hotline", "channel_reply_days.tv_hotline", 17, "unknown channel"),
        ("help = 10", "help = 10.5", "reply_days.help", 11, "whole number"),
        ("help = 10\n", "", "reply_days.help", 9, "missing"),
        ("effective = 2027-01-01", 'effective = "soon"', "effective", 2, "must be a date"),
        ('id = "xiangtan/2027"', 'id = "my policy"', "id", 1, "name and a version"),
        ("max_extensions = 3", "max_extensions = -1", "max_extensions", 7, "at least 0"),
    ],
)
def test_each_bad_file_names_the_key_and_its_line(
    tmp_path: Path, old: str, new: str, key: str, line: int, message: str
) -> None:
    assert old in GOOD
    problems = problems_of(write(tmp_path, GOOD.replace(old, new, 1)))
    assert any(k == key and n == line and message in m for k, n, m in problems), problems


def test_a_missing_setting_is_named(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, GOOD.replace("callback_days = 3\n", "")))
    assert ("callback_days", None, "missing") in problems


def test_every_problem_is_reported_at_once_and_nothing_is_loaded(tmp_path: Path) -> None:
    bad = GOOD.replace("complaint = 12", "complaint = -3").replace("praise = 2", "gossip = 4")
    path = write(tmp_path, bad)
    keys = {k for k, _, _ in problems_of(path)}
    assert {"reply_days.complaint", "reply_days.gossip", "reply_days.praise"} <= keys
    with pytest.raises(DataFileError):
        load_policy_book([write(tmp_path, GOOD, "good.toml"), path])


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="line 10"):
        load_policy_file(write(tmp_path, GOOD.replace("consultation = 2", "consultation = = 2")))


def test_ids_and_effective_dates_are_unique_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "a.toml")
    twin = write(tmp_path, GOOD.replace("2027-01-01", "2028-01-01"), "b.toml")
    with pytest.raises(DataFileError, match="key 'id': 'xiangtan/2027' is already defined"):
        load_policy_book([first, twin])
    same_day = write(tmp_path, GOOD.replace("xiangtan/2027", "xiangtan/2027b"), "c.toml")
    with pytest.raises(DataFileError, match="key 'effective'"):
        load_policy_book([first, same_day])


def test_a_policy_applies_from_its_effective_date_and_never_rewrites(
    store_url: str, tmp_path: Path
) -> None:
    common = {"channel": "county_hotline", "category": "complaint", "content": "噪音扰民"}
    before = Hotline.open(store_url)  # the default policy only
    before.receive("P-OLD", at="2026-12-30T09:00:00", **common)
    old_view = before.case("P-OLD", today=date(2026, 12, 30))
    before.close()
    book = load_policy_book([write(tmp_path, GOOD)])
    after = Hotline.open(store_url, policies=book)
    try:
        after.receive("P-NEW", at="2027-01-04T09:00:00", **common)
        assert after.case("P-OLD", today=date(2026, 12, 30)) == old_view
        assert old_view.policy == "default/1"
        new = after.case("P-NEW", today=date(2027, 1, 4))
        assert new.policy == "xiangtan/2027"
        # 12 working days, weekends only (2027 is beyond the package): Jan 20
        assert new.reply_due == date(2027, 1, 20)
    finally:
        after.close()


def test_policy_check_and_show_on_the_command_line(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD, "good.toml")
    bad = write(tmp_path, GOOD.replace("complaint = 12", "complaint = -3"), "bad.toml")
    runner = CliRunner()
    ok = runner.invoke(cli, ["policy", "check", str(good)])
    assert ok.exit_code == 0 and "ok (xiangtan/2027, effective 2027-01-01)" in ok.output
    failed = runner.invoke(cli, ["policy", "check", str(good), str(bad)])
    assert failed.exit_code == 1
    assert "line 13, key 'reply_days.complaint': must be at least 1, got -3" in failed.output
    shown = runner.invoke(cli, ["policy", "show", str(good)])
    assert shown.exit_code == 0 and "complaint = 12" in shown.output
