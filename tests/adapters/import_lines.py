"""A small deterministic generator of valid import lines (spec §4).

Used by the import tests and by `bench/import_bench.py`. Each case follows a
plausible path through the lifecycle of spec §2 (about six actions on
average: some answered directly, some returned and reassigned, some
extended, some reopened after an unsatisfied callback); the lines of all
cases are interleaved in business-time order, as a year's export would be.
Every line the generator writes is accepted by the engine.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

UNITS = ("县住建局", "县公安局", "县教育局", "县交通局", "县环保局", "县水利局",
         "县供电公司", "县人社局", "易俗河镇", "花石镇", "中路铺镇", "县城管局")
CHANNELS = ("mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox",
            "conduct_hotline")
CATEGORIES = ("complaint", "consultation", "suggestion", "help", "report", "praise")
SUBJECTS = ("工地超出红线施工，夜间噪音扰民", "小区停水三天无人处理", "学校门口道路积水严重",
            "路灯损坏多日未修", "农村低保申请进度咨询", "垃圾站异味影响居民生活")


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def case_actions(ref: str, rng: random.Random, start: datetime) -> list[dict[str, Any]]:
    """The actions of one case, each with its business time `at`."""
    now = start
    out: list[dict[str, Any]] = []

    def step(action: str, minutes: tuple[int, int] = (5, 90), **fields: Any) -> None:
        nonlocal now
        now += timedelta(minutes=rng.randint(*minutes))
        out.append({"case": ref, "action": action, "at": _at(now), **fields})

    category = rng.choice(CATEGORIES)
    channel = rng.choice(CHANNELS)
    step("receive", (0, 0), channel=channel, category=category,
         urgency="urgent" if rng.random() < 0.05 else "normal",
         content=f"{rng.choice(SUBJECTS)}（{ref}）",
         township=rng.choice(UNITS[-4:-1]), topic=rng.choice(("housing", "roads_traffic")))
    if category == "consultation" and rng.random() < 0.6:
        step("answer", text="已电话解答政策依据和办理流程")
    else:
        lead, co = rng.sample(UNITS, 2)
        joint = rng.random() < 0.25
        step("assign", lead=lead, co_units=[co] if joint else [])
        if rng.random() < 0.06:  # returned the same day, reassigned
            step("return", unit=lead, reason="不属于本单位职责范围")
            lead = next(u for u in UNITS if u not in (lead, co))
            step("assign", lead=lead, co_units=[co] if joint else [])
        step("acknowledge", unit=lead)
        if joint:
            step("contribute", unit=co, text="建议双方依法协商解决")
        if rng.random() < 0.1:
            step("extend", days=rng.randint(1, 5), reason="需现场勘查")
        step("reply", (60, 3000), unit=lead, text="已安排人员现场处理，问题已解决")
    unsatisfied = rng.random() < 0.05
    step("callback", (60, 2000), result="unsatisfied" if unsatisfied else "satisfied")
    if unsatisfied:
        lead = _lead(out) or rng.choice(UNITS)
        step("reopen", reason="市民反映问题仍未解决", lead=lead)
        step("acknowledge", unit=lead)
        step("reply", (60, 3000), unit=lead, text="已再次处理并向市民说明")
        step("callback", (60, 2000), result="basically_satisfied")
    step("close")
    return out


def _lead(actions: list[dict[str, Any]]) -> str | None:
    leads = [a["lead"] for a in actions if a.get("lead")]
    return leads[-1] if leads else None


def generate_actions(
    cases: int, seed: int = 2016, per_day: int | None = None
) -> list[dict[str, Any]]:
    """`cases` cases received through 2016 (or, with `per_day`, that many
    starting each day from 2016-01-01: a megacity's density), interleaved in
    time order."""
    rng = random.Random(seed)
    year = datetime(2016, 1, 1, 8)
    rows: list[tuple[str, str, int, dict[str, Any]]] = []
    for n in range(cases):
        if per_day:
            start = year + timedelta(days=n // per_day, minutes=rng.randrange(600))
        else:
            start = year + timedelta(days=rng.randrange(366), minutes=rng.randrange(600))
        ref = f"GEN{start:%Y%m%d}-{n:06d}"
        for seq, action in enumerate(case_actions(ref, rng, start)):
            rows.append((action["at"], ref, seq, action))
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def generate_lines(cases: int, seed: int = 2016, per_day: int | None = None) -> bytes:
    """The JSON Lines file of `generate_actions`, as bytes."""
    return b"".join(
        json.dumps(a, ensure_ascii=False).encode() + b"\n"
        for a in generate_actions(cases, seed, per_day)
    )


# -- reading a store back, for comparisons ---------------------------------

# What a rerun may legitimately change: when an event was recorded, and the
# hash chain that commits to that time.
RECORDING_FIELDS = frozenset({"timestamp", "chain"})


def store_contents(url: str) -> dict[str, list[tuple[str, int, str, dict[str, Any]]]]:
    """Per case: (topic, version, business time, payload without the
    recorded time and chain) of each stored event, in version order."""
    from workflow import Hotline

    app = Hotline.open(url)
    try:
        cases: dict[str, list[tuple[str, int, str, dict[str, Any]]]] = {}
        last = app.recorder.max_notification_id() or 0
        for stored in app.recorder.select_notifications(start=1, limit=last + 1):
            event = app.mapper.to_domain_event(stored)
            payload = {k: v for k, v in vars(event).items() if k not in RECORDING_FIELDS}
            cases.setdefault(str(event.originator_id), []).append(
                (stored.topic, event.originator_version, event.at.isoformat(), payload)
            )
    finally:
        app.close()
    for events in cases.values():
        events.sort(key=lambda e: e[1])
    return cases


def count_events(url: str) -> int:
    """Events stored so far, read without opening the engine (the table may
    not exist yet while an importer starts up)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        try:
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10) as db:
                return int(db.execute("SELECT count(*) FROM stored_events").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
    import psycopg
    from psycopg.sql import SQL, Identifier

    dsn, schema = url.split("?schema=")
    with psycopg.connect(dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", [f"{schema}.hotline_events"]).fetchone()
        if not exists or exists[0] is None:
            return 0
        row = conn.execute(
            SQL("SELECT count(*) FROM {}.hotline_events").format(Identifier(schema))
        ).fetchone()
        return int(row[0]) if row else 0
