"""Every §5 metric on small hand-made histories; expected figures worked out
by hand in the comments (both stores, through the live projections)."""

from __future__ import annotations

from datetime import date

from tests.projections.helpers import act, apply, rate, rcv, report
from workflow import Hotline

Q3 = "2016Q3"
END = date(2016, 12, 31)


def test_a_reply_at_2359_of_the_due_date_is_on_time_and_at_midnight_late(hotline: Hotline) -> None:
    # consultation: 2 working days. Received Mon 2016-08-01 -> reply due Wed 08-03,
    # close due 3 working days later: Mon 08-08.
    apply(hotline, [
        rcv("A1", "2016-08-01T09:00:00"), act("A1", "answer", "2016-08-03T23:59:00", text="已答复"),
        act("A1", "callback", "2016-08-05T10:00:00", result="satisfied"),
        act("A1", "close", "2016-08-08T23:59:00"),
        rcv("A2", "2016-08-01T09:00:00"), act("A2", "answer", "2016-08-04T00:00:00", text="已答复"),
        act("A2", "callback", "2016-08-08T10:00:00", result="basically_satisfied"),
        act("A2", "close", "2016-08-09T00:00:00"),
    ])
    assert hotline.case("A1").reply_due == date(2016, 8, 3)
    assert hotline.case("A1").close_due == date(2016, 8, 8)
    figures = report(hotline, Q3, END)["all"]
    assert figures["received"] == 2
    assert figures["timely_reply"] == rate(1, 2)  # A1 on time, A2 one minute late
    assert figures["on_time_closure"] == rate(1, 2)  # same boundary for closing
    assert figures["satisfaction"] == rate(2, 2)  # basically satisfied counts as satisfied
    assert figures["callback_results"] == {
        "satisfied": 1, "basically_satisfied": 1, "unsatisfied": 0, "unreachable": 0}


def test_due_dates_across_national_day_count_the_make_up_working_days(hotline: Hotline) -> None:
    # Received Fri 2016-09-30. 10-01..10-07 are holidays; Sat 10-08 and Sun 10-09
    # are make-up working days: reply due (2 days) = 10-09, close due = 10-12.
    apply(hotline, [
        rcv("N1", "2016-09-30T16:00:00"), act("N1", "answer", "2016-10-09T18:00:00", text="答复"),
        rcv("N2", "2016-09-30T16:00:00"), act("N2", "answer", "2016-10-10T08:30:00", text="答复"),
        rcv("N3", "2016-09-30T16:00:00"),  # never answered
    ])
    assert hotline.case("N3").reply_due == date(2016, 10, 9)
    assert hotline.case("N3").close_due == date(2016, 10, 12)
    # As of 10-08 nothing is due yet and nothing has been answered: den 0.
    assert report(hotline, Q3, date(2016, 10, 8))["all"]["timely_reply"] == rate(0, 0)
    # As of 10-09: N1 answered on its due date; N3's due date is not yet *before* A.
    assert report(hotline, Q3, date(2016, 10, 9))["all"]["timely_reply"] == rate(1, 1)
    # As of 10-10: N2 answered late, N3 overdue: 1 of 3.
    assert report(hotline, Q3, date(2016, 10, 10))["all"]["timely_reply"] == rate(1, 3)
    # Closure: none closed; close due 10-12 is before A only from 10-13 on.
    assert report(hotline, Q3, date(2016, 10, 12))["all"]["on_time_closure"] == rate(0, 0)
    assert report(hotline, Q3, date(2016, 10, 13))["all"]["on_time_closure"] == rate(0, 3)


def test_an_extension_moves_the_reply_due_date_in_force(hotline: Hotline) -> None:
    # help: 10 working days. Received Mon 08-01 -> reply due Mon 08-15, close due 08-18.
    # Extended by 3 on 08-10 -> reply due Thu 08-18, close due Tue 08-23.
    apply(hotline, [
        rcv("X1", "2016-08-01T09:00:00", "help"),
        act("X1", "assign", "2016-08-01T10:00:00", lead="县水务局"),
        act("X1", "extend", "2016-08-10T10:00:00", days=3, reason="需现场勘查"),
        act("X1", "reply", "2016-08-18T10:00:00", unit="县水务局", text="已修复"),
        act("X1", "callback", "2016-08-22T10:00:00", result="satisfied"),
        act("X1", "close", "2016-08-23T17:00:00"),
    ])
    view = hotline.case("X1")
    assert (view.reply_due, view.close_due) == (date(2016, 8, 18), date(2016, 8, 23))
    figures = report(hotline, Q3, END)
    assert figures["all"]["timely_reply"] == rate(1, 1)  # late without the extension
    assert figures["all"]["on_time_closure"] == rate(1, 1)
    assert figures["linkage"]["by_unit"]["县水务局"]["replies"] == rate(1, 1)


def test_a_reopened_case_is_judged_by_its_first_reply_and_its_last_callback(
    hotline: Hotline,
) -> None:
    # consultation received 08-01 (reply due 08-03); first reply 08-02 on time;
    # unsatisfied 08-04; reopened 08-05 -> reply due 08-09, close due 08-12;
    # second reply 08-12 (late against 08-09); satisfied and closed 08-15 (late).
    apply(hotline, [
        rcv("R1", "2016-08-01T09:00:00"),
        act("R1", "assign", "2016-08-01T10:00:00", lead="县住建局"),
        act("R1", "reply", "2016-08-02T10:00:00", unit="县住建局", text="第一次答复"),
        act("R1", "callback", "2016-08-04T10:00:00", result="unsatisfied"),
        act("R1", "reopen", "2016-08-05T10:00:00", reason="未解决"),
        act("R1", "reply", "2016-08-12T10:00:00", unit="县住建局", text="第二次答复"),
        act("R1", "callback", "2016-08-15T09:00:00", result="satisfied"),
        act("R1", "close", "2016-08-15T10:00:00"),
    ])
    figures = report(hotline, Q3, END)
    assert figures["all"]["timely_reply"] == rate(1, 1)  # the FIRST reply counts
    assert figures["all"]["on_time_closure"] == rate(0, 1)  # close due in force: 08-12
    assert figures["all"]["satisfaction"] == rate(1, 1)  # the latest result
    assert figures["all"]["callback_results"]["satisfied"] == 1
    assert figures["all"]["callback_results"]["unsatisfied"] == 0
    # every reply the lead gave, each against the due date in force then: 1 of 2
    assert figures["linkage"]["by_unit"]["县住建局"]["replies"] == rate(1, 2)
    # As of 08-04 the latest result was the unsatisfied one.
    early = report(hotline, Q3, date(2016, 8, 4))["all"]
    assert early["satisfaction"] == rate(0, 1)
    assert early["callback_results"]["unsatisfied"] == 1


def test_unreachable_callbacks_are_counted_but_not_rated(hotline: Hotline) -> None:
    apply(hotline, [
        rcv("U1", "2016-07-04T09:00:00", channel="county_mailbox"),
        act("U1", "answer", "2016-07-04T11:00:00", text="已答复"),
        act("U1", "callback", "2016-07-05T11:00:00", result="unreachable"),
        act("U1", "close", "2016-07-05T11:30:00"),
        rcv("U2", "2016-07-04T09:00:00", channel="county_mailbox"),
        act("U2", "answer", "2016-07-04T11:00:00", text="已答复"),
        act("U2", "close", "2016-07-04T12:00:00", waive_callback=True, reason="匿名，无联系方式"),
    ])
    figures = report(hotline, Q3, END)["by_channel"]["county_mailbox"]
    assert figures["received"] == 2
    assert figures["satisfaction"] == rate(0, 0)
    assert figures["callback_results"]["unreachable"] == 1
    assert figures["on_time_closure"] == rate(2, 2)
    assert figures["by_category"]["consultation"] == 2


def test_returns_re_assignment_and_joint_handling_make_the_linkage_table(
    hotline: Hotline,
) -> None:
    # L1: returned by 县住建局, then by 县城管局 (ping-pong), then assigned to
    #     县住建局 with co-unit 县公安局 (joint); closed 08-08.
    # L2: single unit, never returned, closed 08-03.
    apply(hotline, [
        rcv("L1", "2016-08-01T09:00:00", "complaint"),
        act("L1", "assign", "2016-08-01T10:00:00", lead="县住建局"),
        act("L1", "return", "2016-08-02T09:00:00", unit="县住建局", reason="不属本单位职责"),
        act("L1", "assign", "2016-08-02T10:00:00", lead="县城管局"),
        act("L1", "return", "2016-08-03T09:00:00", unit="县城管局", reason="不属本单位职责"),
        act("L1", "assign", "2016-08-03T10:00:00", lead="县住建局", co_units=["县公安局"]),
        act("L1", "reply", "2016-08-05T10:00:00", unit="县住建局", text="已处理"),
        act("L1", "callback", "2016-08-08T10:00:00", result="satisfied"),
        act("L1", "close", "2016-08-08T11:00:00"),
        rcv("L2", "2016-08-01T09:00:00"),
        act("L2", "assign", "2016-08-01T10:00:00", lead="县住建局"),
        act("L2", "reply", "2016-08-02T10:00:00", unit="县住建局", text="已处理"),
        act("L2", "callback", "2016-08-03T10:00:00", result="satisfied"),
        act("L2", "close", "2016-08-03T11:00:00"),
    ])
    link = report(hotline, Q3, END)["linkage"]
    assert (link["joint_cases"], link["transferred_cases"], link["ping_pong_cases"],
            link["multi_agency_cases"]) == (1, 1, 1, 1)
    # L1 was assigned to three units: three pairs, once each; L2 to one unit: none.
    units = ["县住建局", "县城管局", "县公安局"]
    expected = sorted(
        ({"units": sorted([a, b]), "cases": 1} for i, a in enumerate(units) for b in units[i + 1:]),
        key=lambda p: p["units"],
    )
    assert link["pairs"] == expected
    assert link["by_unit"]["县住建局"] == {
        "lead_cases": 2, "co_cases": 0, "returns": 1, "replies": rate(2, 2)}
    assert link["by_unit"]["县城管局"] == {
        "lead_cases": 1, "co_cases": 0, "returns": 1, "replies": rate(0, 0)}
    assert link["by_unit"]["县公安局"]["co_cases"] == 1
    # working days after receipt up to closing: L1 08-02..08-08 = 5; L2 08-02, 08-03 = 2
    assert link["mean_close_workdays"] == {"joint": 5.0, "single": 2.0}
    # As of 08-02 L1 had been returned once and was not yet joint.
    early = report(hotline, Q3, date(2016, 8, 2))["linkage"]
    assert (early["joint_cases"], early["transferred_cases"], early["ping_pong_cases"]) == (0, 1, 0)


def test_the_cohort_is_received_in_the_period_and_by_the_as_of_date(hotline: Hotline) -> None:
    apply(hotline, [
        rcv("C1", "2016-06-30T23:59:00"), rcv("C2", "2016-07-01T00:00:00"),
        rcv("C3", "2016-09-30T23:59:00"), rcv("C4", "2016-10-01T00:00:00"),
    ])
    assert report(hotline, Q3, END)["all"]["received"] == 2
    assert report(hotline, Q3, date(2016, 7, 1))["all"]["received"] == 1
    assert report(hotline, "2016-07-01..2016-07-01", END)["all"]["received"] == 1
    assert report(hotline, "2016-10", END)["all"]["received"] == 1


def test_topics_use_the_given_topic_else_the_keywords_else_other(hotline: Hotline) -> None:
    apply(hotline, [
        rcv("T1", "2016-08-01T09:00:00", topic="housing", township="易俗河镇", content="学校门口"),
        rcv("T2", "2016-08-01T09:00:00", township="易俗河镇",
            content="学校门口垃圾成堆，学生上学不便"),
        rcv("T3", "2016-08-01T09:00:00", content="夜间工地施工噪音扰民"),
        rcv("T4", "2016-08-01T09:00:00", content="你好"),
    ])
    topics = report(hotline, Q3, END)["topics"]
    # T2: education 学校+学生+上学 = 3 hits vs environment 垃圾 = 1.
    # T3: urban_construction 工地+施工 = 2 vs environment 噪音 = 1.
    assert topics["by_topic"] == {"education": 1, "housing": 1, "other": 1,
                                  "urban_construction": 1}
    assert topics["by_township"] == {"unknown": 2, "易俗河镇": 2}


def test_every_channel_category_and_result_appears_with_zeros(hotline: Hotline) -> None:
    figures = report(hotline, Q3, END)
    assert set(figures["by_channel"]) == {
        "mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox", "conduct_hotline"}
    assert figures["by_category"] == dict.fromkeys(
        ("complaint", "consultation", "suggestion", "help", "report", "praise"), 0)
    for channel in figures["by_channel"].values():
        assert set(channel["by_category"]) == set(figures["by_category"])
        assert channel["callback_results"] == {
            "satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0, "unreachable": 0}
        assert channel["timely_reply"] == {"num": 0, "den": 0, "rate": None}
    assert figures["linkage"]["mean_close_workdays"] == {"joint": None, "single": None}
