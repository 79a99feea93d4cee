"""The spec §4 example history, end to end through the embedded API."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow import Hotline

EXAMPLE: list[dict[str, Any]] = [
    {"case": "XT20160801-0031", "action": "receive", "at": "2016-08-01T09:12:00+08:00",
     "channel": "county_hotline", "category": "complaint", "township": "易俗河镇",
     "topic": "housing", "content": "香堤雅郡工地超出红线施工，有人受伤"},
    {"case": "XT20160801-0031", "action": "assign", "at": "2016-08-01T10:05:00+08:00",
     "lead": "县住建局", "co_units": ["县公安局"]},
    {"case": "XT20160801-0031", "action": "contribute", "at": "2016-08-03T16:00:00+08:00",
     "unit": "县公安局", "text": "建议双方依法协商"},
    {"case": "XT20160801-0031", "action": "reply", "at": "2016-08-05T11:00:00+08:00",
     "unit": "县住建局", "text": "已下发停工通知，责令消除安全隐患"},
    {"case": "XT20160801-0031", "action": "callback", "at": "2016-08-08T15:30:00+08:00",
     "result": "satisfied"},
    {"case": "XT20160801-0031", "action": "close", "at": "2016-08-08T15:40:00+08:00"},
]


def test_the_spec_example_runs_to_closed_on_both_stores(hotline: Hotline) -> None:
    versions = [hotline.execute(line) for line in EXAMPLE]
    assert versions == [1, 2, 3, 4, 5, 6]
    view = hotline.case("XT20160801-0031")
    assert view.state == "closed"
    assert (view.lead, view.co_units) == ("县住建局", ["县公安局"])
    # complaint: 15 working days from 2016-08-01, then 3 for the callback
    assert view.reply_due == date(2016, 8, 22)
    assert view.close_due == date(2016, 8, 25)
    assert [h.event for h in view.history] == [
        "Received", "Assigned", "Contributed", "Replied", "CalledBack", "Closed"
    ]


def test_a_repeated_line_is_a_no_op_returning_the_current_version(hotline: Hotline) -> None:
    for line in EXAMPLE[:3]:
        hotline.execute(line)
    assert hotline.execute(EXAMPLE[1]) == 3
    assert len(hotline.events_of("XT20160801-0031")) == 3


def test_reopened_store_replays_the_same_case(store_url: str) -> None:
    first = Hotline.open(store_url)
    for line in EXAMPLE[:4]:
        first.execute(line)
    before = first.case("XT20160801-0031", today=date(2016, 8, 10))
    first.close()
    again = Hotline.open(store_url)
    assert again.case("XT20160801-0031", today=date(2016, 8, 10)) == before
    again.close()
