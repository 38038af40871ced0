"""The admission engine against RULES.md §2, one rule at a time through the services (as a user meets
it), then random timelines judged by the pure engine against the rules computed here independently."""
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from jiceng.admission import engine, services, walk
from jiceng.admission.models import Application
from jiceng.admission.views import overdue
from jiceng.core import profiles, spans
from jiceng.orgs import services as orgs

from conftest import add_member, errors_of, make_user

CCP = profiles.get("ccp")
ADM = CCP.admission
CITE = f"ccp@{CCP.version}"


# --- helpers -------------------------------------------------------------------------------------
def months_after(day: date, n: int) -> date:
    """Calendar months, a day past the month's end falling back to its last day (the test's own count)."""
    year, month0 = divmod(day.month - 1 + n, 12)
    year, month = day.year + year, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def applicant(world, until=None, *, on=date(2022, 3, 1), born=date(2000, 5, 1)) -> Application:
    """An applicant of branch A walked with valid records up to (not including) `until`."""
    app = services.start(world.admin, org=world.a, on=on, person={"name": "王新", "sex": "男", "birth_date": born})
    return walk.walk(world.admin, app, until=until, people=[m.pk for m in world.a_members])


def day_of(app, step) -> date:
    return app.steps.filter(step=step, passed=True).order_by("-on").first().on


def refused(user, app, step, on, data=None) -> dict:
    """The field errors of a refused record; every message names the profile rule it applies."""
    errors = errors_of(services.record, user, app, step, on=on, data=data or {})
    for messages in errors.values():
        assert all("依据：《" in m and CITE not in m for m in messages), messages  # in words, not codes
    return errors


def offer(user, app, step):
    return next(n for n in services.next_steps(user, app) if n.offer.step.key == step)


def vote(present, yes, no=0, abstain=0, absent_yes=0, absent_no=0):
    return {"vote": dict(present=present, yes=yes, no=no, abstain=abstain, absent_yes=absent_yes, absent_no=absent_no),
            "resolution": "同意接收为预备党员"}


def entitled(world, n):
    """Branch A with `n` full members entitled to vote (it has 3)."""
    for i in range(n - 3):
        add_member(world.a, f"丙{i}", n=40 + i)
    assert services.entitled_on(world.a, ["full"], date(2022, 1, 1)) == n


# --- 1 application -------------------------------------------------------------------------------
def test_an_applicant_must_be_18_on_the_day_of_applying(world):
    errors = errors_of(services.start, world.admin, org=world.a, on=date(2024, 5, 5),
                       person={"name": "少年", "sex": "男", "birth_date": date(2006, 5, 6)})
    assert any("依据：《中国共产党章程》第一条" in m for m in errors["on"])
    assert not Application.objects.exists()
    app = services.start(world.admin, org=world.a, on=date(2024, 5, 6),
                         person={"name": "少年", "sex": "男", "birth_date": date(2006, 5, 6)})
    assert app.member.category == "applicant"


def test_a_talk_later_than_a_month_is_kept_with_a_warning_and_shows_as_overdue(world):
    app = applicant(world, "talk", on=date(2024, 1, 31))
    talk = offer(world.officer_a, app, "talk").offer
    assert talk.open and talk.window.due == date(2024, 2, 29) and "细则 §8" in talk.window.due_cite
    nexts = services.next_steps(world.officer_a, app)
    assert [n.offer.step.key for n in overdue(nexts, date(2024, 3, 1))] == ["talk"]
    assert overdue(nexts, date(2024, 2, 29)) == []
    record = services.record(world.officer_a, app, "talk", on=date(2024, 3, 1),
                             data={"talkers": [world.a_members[0].pk], "record": "谈话情况"})
    assert record.passed and [w["cite"] for w in record.warnings] == [talk.window.due_cite]
    assert "2024-02-29" in record.warnings[0]["zh"]


def test_a_talk_within_the_month_carries_no_warning(world):
    app = applicant(world, "talk", on=date(2024, 1, 31))
    record = services.record(world.officer_a, app, "talk", on=date(2024, 2, 29),
                             data={"talkers": [world.a_members[0].pk], "record": "谈话情况"})
    assert record.warnings == []


# --- 2 activist ----------------------------------------------------------------------------------
def test_contacts_are_one_or_two_full_members_other_than_the_applicant(world):
    app = applicant(world, "contacts")
    on, full = day_of(app, "activist_decided") + timedelta(days=10), [m.pk for m in world.a_members]
    probationary = add_member(world.a, "预备甲", category="probationary", n=50)
    assert "2 人" in refused(world.officer_a, app, "contacts", on, {"contacts": full})["contacts"][0]
    assert "不是正式党员" in str(refused(world.officer_a, app, "contacts", on, {"contacts": [probationary.pk]}))
    assert "申请人本人" in str(refused(world.officer_a, app, "contacts", on, {"contacts": [app.member.pk]}))
    # ids as the API may send them (strings) are the same people
    assert "申请人本人" in str(refused(world.officer_a, app, "contacts", on, {"contacts": [str(app.member.pk)]}))
    assert "重复" in str(refused(world.officer_a, app, "contacts", on, {"contacts": [full[0], str(full[0])]}))
    assert "《中国共产党发展党员工作细则》第十一条" in refused(world.officer_a, app, "contacts", on, {})["contacts"][0]
    record = services.record(world.officer_a, app, "contacts", on=on, data={"contacts": full[:2]})
    assert record.data["contacts"] == full[:2]


def test_six_monthly_review_of_an_activist_is_due_and_overdue_is_warned(world):
    app = applicant(world, "target_decided")
    decided = day_of(app, "activist_decided")
    review = offer(world.officer_a, app, "observation").offer
    assert review.open and review.window.due == months_after(decided, 6)
    record = services.record(world.officer_a, app, "observation", on=months_after(decided, 6) + timedelta(days=1),
                             data={"assessment": "表现良好"})
    assert record.warnings and "细则 §12 [local]" in record.warnings[0]["cite"]
    # the next review is due six months after this one
    assert offer(world.officer_a, app, "observation").offer.window.due == months_after(record.on, 6)


def test_development_target_after_at_least_a_year_as_activist(world):
    app = applicant(world, "target_decided")
    year = months_after(day_of(app, "activist_decided"), 12)
    assert offer(world.officer_a, app, "target_decided").offer.window.earliest == year
    errors = refused(world.officer_a, app, "target_decided", year - timedelta(days=1), {"opinions": "群众意见好"})
    assert "《中国共产党发展党员工作细则》第十三条" in errors["on"][0]
    assert services.record(world.officer_a, app, "target_decided", on=year, data={"opinions": "群众意见好"}).passed
    assert app.member.__class__.objects.get(pk=app.member.pk).category == "development_target"


# --- 3 development target ------------------------------------------------------------------------
def test_two_full_members_are_the_introducers(world):
    app = applicant(world, "introducers")
    on, full = day_of(app, "target_filed"), [m.pk for m in world.a_members]
    probationary = add_member(world.a, "预备乙", category="probationary", n=51)
    for people in (full[:1], full, [full[0], probationary.pk], [full[0], app.member.pk]):
        assert "《中国共产党发展党员工作细则》第十四条" in refused(world.officer_a, app, "introducers", on, {"introducers": people})["introducers"][0]
    assert services.record(world.officer_a, app, "introducers", on=on, data={"introducers": full[1:]}).passed


def test_nothing_after_political_review_unless_it_passed(world):
    app = applicant(world, "political_review")
    on = day_of(app, "introducers") + timedelta(days=7)
    failed = services.record(world.officer_a, app, "political_review", on=on,
                             data={"conclusion": "不合格", "report": "存在问题"})
    assert not failed.passed
    services.record(world.officer_a, app, "training", on=on, data={"days": 3})
    assert not offer(world.officer_a, app, "committee_review").offer.open
    errors = refused(world.officer_a, app, "committee_review", on + timedelta(days=1), {"conclusion": "同意"})
    assert "须先完成：进行政治审查" in errors["step"][0]
    # a later review that passes opens the way
    services.record(world.officer_a, app, "political_review", on=on + timedelta(days=10),
                    data={"conclusion": "合格", "report": "经复查合格"})
    assert services.record(world.officer_a, app, "committee_review", on=on + timedelta(days=11),
                           data={"conclusion": "同意"}).passed


def test_training_is_at_least_three_days_or_24_class_hours(world):
    app = applicant(world, "training")
    on = day_of(app, "political_review")
    for data in ({"days": 2}, {"hours": 20}, {"days": 2, "hours": 23}, {}):
        assert "《中国共产党发展党员工作细则》第十七条" in refused(world.officer_a, app, "training", on, data)["days"][0]
    assert services.record(world.officer_a, app, "training", on=on, data={"hours": 24}).data == {"hours": 24}


# --- 4 admission ---------------------------------------------------------------------------------
def test_pre_review_only_by_the_upper_committee(world):
    app = applicant(world, "pre_review")
    on = day_of(app, "notice") + timedelta(days=10)
    with pytest.raises(PermissionDenied, match="测试党委"):
        services.record(world.officer_a, app, "pre_review", on=on, data={"conclusion": "合格"})
    assert not app.steps.filter(step="pre_review").exists()
    nxt = offer(world.officer_a, app, "pre_review")
    assert nxt.offer.open and not nxt.allowed and nxt.actor == world.root
    assert services.record(world.org_admin, app, "pre_review", on=on, data={"conclusion": "合格"}).passed


def test_a_public_notice_runs_five_working_days_past_weekends_and_holidays(world):
    app = applicant(world, "notice", on=date(2023, 6, 1))
    assert day_of(app, "committee_review") < date(2024, 9, 27)
    # posted on Friday 27 September 2024: Sunday 29th is a make-up working day, 1–7 October are holidays
    services.record(world.officer_a, app, "notice", on=date(2024, 9, 27), data={"scope": "支部公示栏"})
    end = date(2024, 10, 9)  # 27th, 29th, 30th, 8th, 9th
    assert [item["notice_ends"] for item in services.timeline(app) if item["record"].step == "notice"] == [end]
    assert offer(world.org_admin, app, "pre_review").offer.window.earliest == end + timedelta(days=1)
    for day in (end - timedelta(days=1), end):
        assert "公示" in refused(world.org_admin, app, "pre_review", day, {"conclusion": "合格"})["on"][0]
    assert services.record(world.org_admin, app, "pre_review", on=end + timedelta(days=1), data={"conclusion": "合格"})


def test_objections_raised_in_the_notice_need_their_resolution(world):
    app = applicant(world, "notice")
    on = day_of(app, "committee_review")
    errors = refused(world.officer_a, app, "notice", on, {"scope": "公示栏", "objections": "有群众反映"})
    assert "核实处理情况" in errors["resolution"][0]
    services.record(world.officer_a, app, "notice", on=on, data={"scope": "公示栏", "objections": "有群众反映",
                                                                  "resolution": "经核实不属实"})


@pytest.fixture
def at_vote(world):
    """Branch A with 5 full members; an applicant whose branch meeting is next."""
    entitled(world, 5)
    app = applicant(world, "branch_vote")
    return app, day_of(app, "form") + timedelta(days=7)


def test_the_meeting_needs_more_than_half_of_the_entitled_present(world, at_vote):
    app, on = at_vote
    errors = refused(world.officer_a, app, "branch_vote", on, vote(2, 2))
    assert "未超过应到人数 5 的半数" in errors["vote"][0] and "《中国共产党发展党员工作细则》第二十六条至第二十七条" in errors["vote"][0]


def test_the_majority_counts_on_the_entitled_not_on_those_present(world, at_vote):
    app, on = at_vote
    record = services.record(world.officer_a, app, "branch_vote", on=on, data=vote(3, 3))  # 3 > 5 / 2
    assert record.passed and record.data["vote"] | {"entitled": 5, "present": 3, "support": 3, "needed": 3} == record.data["vote"]


def test_three_yes_of_four_present_fail_when_six_are_entitled(world):
    entitled(world, 6)
    app = applicant(world, "branch_vote")
    on = day_of(app, "form") + timedelta(days=7)
    assert "半数" in refused(world.officer_a, app, "branch_vote", on, vote(3, 3))["vote"][0]  # 3 of 6: no quorum
    record = services.record(world.officer_a, app, "branch_vote", on=on, data=vote(4, 3, no=1))
    assert not record.passed and record.data["vote"]["needed"] == 4


def test_written_opinions_of_the_absent_count(world, at_vote):
    app, on = at_vote
    assert not services.record(world.officer_a, app, "branch_vote", on=on, data=vote(3, 2, no=1)).passed
    assert services.record(world.officer_a, app, "branch_vote", on=on, data=vote(3, 2, no=1, absent_yes=1)).passed


@pytest.mark.parametrize("counts,expected", [
    ((6, 6), "超过有表决权的人数"),
    ((4, 3, 1, 1), "大于到会人数"),
    ((4, 3, 0, 0, 1, 1), "超过未到会人数"),
    ((4, -1), "非负整数"),
])
def test_inconsistent_counts_are_refused(world, at_vote, counts, expected):
    app, on = at_vote
    assert expected in refused(world.officer_a, app, "branch_vote", on, vote(*counts))["vote"][0]


def test_a_failed_vote_changes_nothing_and_may_be_held_again(world, at_vote):
    app, on = at_vote
    assert not services.record(world.officer_a, app, "branch_vote", on=on, data=vote(4, 2, no=2)).passed
    app.member.refresh_from_db()
    assert app.member.category == "development_target"
    assert offer(world.officer_a, app, "branch_vote").offer.open
    assert not offer(world.org_admin, app, "upper_talk").offer.open
    again = on + timedelta(days=30)
    assert services.record(world.officer_a, app, "branch_vote", on=again, data=vote(5, 5)).passed
    walk.walk(world.admin, app, until="department_filed", people=[m.pk for m in world.a_members])
    assert app.member.category_lines.get(category="probationary").start == again


def test_approval_normally_within_three_months_and_never_after_six(world):
    app = applicant(world, "approval")
    meeting = day_of(app, "branch_vote")
    window = offer(world.org_admin, app, "approval").offer.window
    assert (window.due, window.latest) == (months_after(meeting, 3), months_after(meeting, 6))
    errors = refused(world.org_admin, app, "approval", months_after(meeting, 6) + timedelta(days=1), {"conclusion": "批准"})
    assert "《中国共产党发展党员工作细则》第二十三条" in errors["on"][0]
    late = services.record(world.org_admin, app, "approval", on=months_after(meeting, 6), data={"conclusion": "批准"})
    assert late.passed and "细则 §23" in late.warnings[0]["cite"] and "within_three_months" in late.warnings[0]["cite"]


def test_admission_is_dated_by_the_branch_meeting_and_standing_by_the_end_of_probation(world):
    app = applicant(world)
    app.refresh_from_db()
    meeting = day_of(app, "branch_vote")
    lines = list(app.member.category_lines.order_by("start").values_list("category", "start"))
    assert lines == [("applicant", app.applied_on), ("activist", day_of(app, "activist_decided")),
                     ("development_target", day_of(app, "target_decided")), ("probationary", meeting),
                     ("full", months_after(meeting, 12))]
    assert day_of(app, "approval") > meeting and day_of(app, "confirm_approval") > months_after(meeting, 12)


# --- 5 probation and confirmation ----------------------------------------------------------------
def test_confirmation_not_before_a_year_from_the_branch_meeting(world):
    app = applicant(world, "confirm_vote")
    year = months_after(day_of(app, "branch_vote"), 12)
    errors = refused(world.officer_a, app, "confirm_vote", year - timedelta(days=1), vote(3, 3))
    assert "《中国共产党章程》第七条" in errors["on"][0]
    assert services.record(world.officer_a, app, "confirm_vote", on=year, data=vote(3, 3)).passed


def test_probation_extended_once_by_six_to_twelve_months(world):
    app = applicant(world, "confirm_request")
    meeting, on = day_of(app, "branch_vote"), day_of(app, "oath") + timedelta(days=30)
    for months in (5, 13):
        assert "《中国共产党章程》第七条" in refused(world.officer_a, app, "extension", on, {"months": months, "reason": "考察"})["months"][0]
    services.record(world.officer_a, app, "extension", on=on, data={"months": 6, "reason": "需继续考察"})
    assert "已完成" in refused(world.officer_a, app, "extension", on, {"months": 6, "reason": "再延长"})["step"][0]
    end = months_after(meeting, 18)
    services.record(world.officer_a, app, "confirm_request", on=end - timedelta(days=20))
    assert "《中国共产党章程》第七条" in refused(world.officer_a, app, "confirm_vote", end - timedelta(days=1), vote(3, 3))["on"][0]
    services.record(world.officer_a, app, "confirm_vote", on=end, data=vote(3, 3))
    services.record(world.org_admin, app, "confirm_approval", on=end + timedelta(days=7), data={"conclusion": "批准转正"})
    assert app.member.category_lines.get(category="full").start == end


def test_archiving_closes_the_application(world):
    app = applicant(world)
    app.refresh_from_db()
    assert app.status == Application.DONE and app.stage == "probation"
    assert not any(n.offer.open for n in services.next_steps(world.admin, app))
    assert errors_of(services.record, world.admin, app, "education", on=date(2025, 1, 1), data={"assessment": "x"})
    findings, _ok = engine.check(services.context(app.member, app.org), ADM.step("education"), date(2025, 1, 1),
                                 {"assessment": "x"}, services.history(app))
    assert findings[0].hard and "发展程序已完成" in findings[0].message and findings[0].cite.startswith(CITE)


# --- random timelines against the rules, judged independently ------------------------------------
FULL, PROBATIONARY, STRANGER, APPLICANT = (1, 2, 3, 4, 5, 6), 7, 8, 9
PASSING = {"合格", "同意", "批准", "批准转正"}  # conclusions with which a step passes


def category(pk, _day):
    return {**{p: "full" for p in FULL}, PROBATIONARY: "probationary", APPLICANT: "activist"}.get(pk)


def fifth_working_day(start: date) -> date:
    """The last day of a notice of 5 working days [local] posted on `start` (counting that day)."""
    day, counted = start, 0
    while True:
        counted += spans.is_working_day(day)
        if counted == 5:
            return day
        day += timedelta(days=1)


def stage_no(key: str) -> int:
    return next(i for i, st in enumerate(ADM.stages) if any(s.key == key for s in st.steps))


@dataclass
class Verdict:
    order: list = field(default_factory=list)  # the step may not be recorded now at all
    dates: list = field(default_factory=list)  # the date breaks a hard bound
    data: list = field(default_factory=list)  # the record's content breaks a rule
    soft: list = field(default_factory=list)  # kept with a warning
    late: bool = False  # a soft deadline passed (overdue)
    passed: bool = True

    @property
    def hard(self):
        return self.order + self.dates + self.data


def bounds(hist, key, birth):
    """(rule, 'min'|'max', day, hard) for recording `key` after `hist`: RULES.md §2's numbers."""
    def last(k):
        return max((d.on for d in hist if d.step == k and d.passed), default=None)

    ext = sum(d.data["months"] for d in hist if d.step == "extension" and d.passed)
    table = {  # step: [(rule, kind, anchor, months, hard)]
        "apply": [("18 or older", "min", "birth", 18 * 12, True)],
        "talk": [("talk within a month", "max", "apply", 1, False)],
        "observation": [("reviewed every six months", "max", ("activist_decided", "observation"), 6, False)],
        "target_decided": [("a year as activist", "min", "activist_decided", 12, True)],
        "approval": [("approved within 3 months", "max", "branch_vote", 3, False),
                     ("at most 6 months", "max", "branch_vote", 6, True)],
        "confirm_request": [("asked for at probation's end", "min", "branch_vote", 11 + ext, False)],
        "confirm_vote": [("a year's probation (plus extension)", "min", "branch_vote", 12 + ext, True)],
        "confirm_approval": [("approved within 3 months", "max", "confirm_vote", 3, False)],
    }
    out = [(f"after {k}", "min", last(k), True) for k in ADM.step(key).after if last(k)]
    if "notice" in ADM.step(key).after and last("notice"):
        out.append(("5 working days of notice", "min", fifth_working_day(last("notice")) + timedelta(days=1), True))
    for rule, kind, anchor, months, hard in table.get(key, []):
        anchors = [anchor] if isinstance(anchor, str) else anchor
        start = birth if anchor == "birth" else max((last(a) for a in anchors if last(a)), default=None)
        if start:
            out.append((rule, kind, months_after(start, months), hard))
    return out


def order(hist, key) -> list[str]:
    """Why `key` may not be recorded at all now: the procedure's order (the profile's `after` lists)."""
    step, passed, out = ADM.step(key), [d.step for d in hist if d.passed], []
    if "archived" in passed:
        out.append("the dossier is archived")
    out += [f"{k} first" for k in step.after if k not in passed]
    if step.repeat and passed.count(key) >= step.repeat:
        out.append("done already")
    if step.optional and any(stage_no(d.step) > stage_no(key) for d in hist):
        out.append("a later stage has begun")
    return out


def judge(hist, key, on, data, birth, entitled) -> Verdict:
    """What RULES.md §2 says of recording `key` on `on` with `data` after `hist`."""
    v = Verdict(order=order(hist, key))
    for rule, kind, day, hard in bounds(hist, key, birth):
        broken = on < day if kind == "min" else on > day
        if broken:
            (v.dates if hard else v.soft).append(rule)
            v.late = v.late or (kind == "max" and not hard)
    people = data.get("contacts", data.get("introducers"))
    if people is not None:
        size = (1, 2) if key == "contacts" else (2, 2)
        if (len(set(people)) != len(people) or not size[0] <= len(people) <= size[1]
                or any(category(p, on) != "full" for p in people)):
            v.data.append(f"{key}: {size} distinct full members")
    if key == "training" and not (data["days"] >= 3 or data["hours"] >= 24):
        v.data.append("3 days or 24 class hours")
    if key == "extension" and not 6 <= data["months"] <= 12:
        v.data.append("extended by 6 to 12 months")
    if "vote" in data:
        n = data["vote"]
        if (n["present"] > entitled or n["yes"] + n["no"] + n["abstain"] > n["present"]
                or n["absent_yes"] + n["absent_no"] > entitled - n["present"] or not n["present"] > entitled / 2):
            v.data.append("counts consistent, more than half present")
        v.passed = n["yes"] + n["absent_yes"] > entitled / 2
    if data.get("leaving") == "是":  # someone leaving the unit within 3 months is normally not admitted
        v.soft.append("leaving within three months")
    if "conclusion" in data:
        v.passed = data["conclusion"] in PASSING
    return v


@st.composite
def record_data(draw, key, entitled):
    """Content for a step: mostly what the rules accept, often not."""
    out = {}
    for f in ADM.step(key).fields:
        if f.type == "text":
            out[f.key] = "情况属实"
        elif f.type == "choice":
            out[f.key] = draw(st.sampled_from(f.passes * 3 + f.choices if f.passes else f.choices))
        elif f.type == "people" and f.key in ("contacts", "introducers"):
            valid = st.lists(st.sampled_from(FULL), min_size=f.min, max_size=f.max, unique=True)
            out[f.key] = draw(valid | st.lists(st.sampled_from(range(1, 10)), max_size=3))
        elif f.type == "people":
            out[f.key] = [FULL[0]]
        elif f.type == "number":
            out[f.key] = draw(st.integers(4, 14) if key == "extension" else st.integers(0, 5) if f.key == "days"
                              else st.integers(0, 40))
        elif f.type == "vote":
            present = draw(st.integers(0, entitled + 1))
            yes = draw(st.integers(0, present + 1))
            out[f.key] = {"present": present, "yes": yes, "no": draw(st.integers(0, max(present - yes, 0))),
                          "abstain": draw(st.integers(0, 1)), "absent_yes": draw(st.integers(0, 2)),
                          "absent_no": draw(st.integers(0, 1))}
    return out


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_timelines_are_refused_exactly_when_they_break_a_hard_rule(data):
    draw = data.draw
    entitled_n = draw(st.integers(3, 9), label="entitled")
    birth = draw(st.dates(date(1990, 1, 1), date(2006, 12, 31)), label="birth")
    ctx = engine.Context(rules=CCP, birth=birth, applicant_id=APPLICANT, category_on=category,
                         entitled_on=lambda _day: entitled_n)
    hist: list[engine.Done] = []
    keys = [s.key for s in ADM.steps]
    for _ in range(200):
        closed = any(d.step == "archived" for d in hist)  # one more record after it, to be refused
        open_now = [k for k in keys if not order(hist, k)]
        # mostly a step the procedure allows now, in random order; sometimes any step at all
        key = draw(st.sampled_from(open_now) if open_now and draw(st.integers(0, 7)) else st.sampled_from(keys))
        # a date on either side of a bound the rules set, or some days after it
        near = [day for _r, _k, day, _h in bounds(hist, key, birth)] or [max((d.on for d in hist), default=birth)]
        offset = st.sampled_from([-1, 0]) | st.integers(-3, 3) | st.integers(0, 60)
        on = draw(st.sampled_from(near)) + timedelta(days=draw(offset))
        content = draw(record_data(key, entitled_n))
        verdict = judge(hist, key, on, content, birth, entitled_n)
        findings, ok = engine.check(ctx, ADM.step(key), on, content, hist)
        said = (key, on, content, verdict, [f.text() for f in findings])
        assert any(f.hard for f in findings) == bool(verdict.hard), said
        assert all(f.cite.startswith(CITE) for f in findings), said
        offer = next(o for o in engine.offers(ctx, hist) if o.step.key == key)
        win = offer.window
        assert offer.open == (not verdict.order), said
        inside = (win.earliest is None or win.earliest <= on) and (win.latest is None or on <= win.latest)
        assert inside == (not verdict.dates), (*said, win)
        assert (win.due is not None and on > win.due) == verdict.late, (*said, win)
        if not verdict.hard:
            assert ok == verdict.passed and any(not f.hard for f in findings) == bool(verdict.soft), said
            hist.append(engine.Done(key, on, ok, content))
        if closed:
            break


# --- the democratic parties' procedures (RULES.md §3) ---------------------------------------------
@pytest.fixture(params=["mjin", "jiusan"])
def party(request, db):
    """A city committee → a district (working) or base committee → a branch with three members."""
    key = request.param
    middle_kind = {"mjin": "working_committee", "jiusan": "base_committee"}[key]
    city = orgs.create_org(None, code="P", name="市委会", kind="committee", profile=key, founded_on=date(1990, 1, 1))
    middle = orgs.create_org(None, code="P001", name="区委会", kind=middle_kind, parent=city, founded_on=date(1995, 1, 1))
    branch = orgs.create_org(None, code="P001001", name="某支部", kind="branch", parent=middle, founded_on=date(2000, 1, 1))
    people = [add_member(branch, f"会员{i}", category="member", n=60 + i, since=date(2010, 1, 1)) for i in range(3)]
    p = SimpleNamespace(key=key, rules=profiles.get(key), city=city, middle=middle, branch=branch, people=people)
    p.admin, p.city_admin = make_user("admin", superuser=True), make_user("city_admin", "org_admin", city)
    p.middle_admin, p.officer = make_user("middle_admin", "org_admin", middle), make_user("officer", "branch_officer", branch)
    p.start = lambda on=date(2024, 3, 1): services.start(p.officer, org=branch, on=on, person={
        "name": "林申请", "sex": "女", "birth_date": date(1990, 6, 1)})
    return p


def test_a_democratic_party_applicant_walks_to_membership_dated_by_the_approval(party):
    app = walk.walk(party.admin, party.start(), people=[m.pk for m in party.people])
    app.refresh_from_db()
    required = [s.key for s in party.rules.admission.steps if not s.optional]
    assert [r.step for r in app.steps.order_by("on", "id")] == required
    assert app.status == Application.DONE and app.member.category == "member"
    assert app.member.category_lines.get(category="member").start == day_of(app, "approval")  # standing from approval
    assert services.upper_org(party.branch) == party.city


def test_a_democratic_party_needs_two_members_as_introducers(party):
    app = walk.walk(party.admin, party.start(), until="introducers", people=[m.pk for m in party.people])
    on = max(r.on for r in app.steps.all()) + timedelta(days=7)
    errors = errors_of(services.record, party.officer, app, "introducers", on=on,
                       data={"introducers": [party.people[0].pk]})
    assert "2 人" in errors["introducers"][0] and "依据：" in errors["introducers"][0] and "@" not in errors["introducers"][0]
    outsider = add_member(party.branch, "申请人乙", category="applicant", n=70, since=date(2020, 1, 1))
    assert errors_of(services.record, party.officer, app, "introducers", on=on,
                     data={"introducers": [party.people[0].pk, outsider.pk]})["introducers"]
    assert services.record(party.officer, app, "introducers", on=on, data={"introducers": [m.pk for m in party.people[:2]]})


def test_only_the_city_committee_approves(party):
    app = walk.walk(party.admin, party.start(), until="approval", people=[m.pk for m in party.people])
    on = max(r.on for r in app.steps.all()) + timedelta(days=7)
    for user in (party.officer, party.middle_admin):  # the branch, and the district or base committee above it
        with pytest.raises(PermissionDenied, match="市委会"):
            services.record(user, app, "approval", on=on, data={"conclusion": "批准"})
    assert services.record(party.city_admin, app, "approval", on=on, data={"conclusion": "批准"}).passed
    app.member.refresh_from_db()
    assert app.member.category == "member"


def test_the_base_organization_passes_by_a_vote_or_by_its_committee(party):
    app = walk.walk(party.admin, party.start(), until="base_passed", people=[m.pk for m in party.people])
    on = max(r.on for r in app.steps.all()) + timedelta(days=7)
    no_vote = {"present": 0, "yes": 0, "no": 0, "abstain": 0, "absent_yes": 0, "absent_no": 0}  # the form's untouched counts
    refusal = services.record(party.officer, app, "base_passed", on=on,
                              data={"vote": no_vote, "conclusion": "不通过", "minutes": "委员会讨论"})
    assert not refusal.passed
    assert not offer(party.city_admin, app, "approval").offer.open
    passed = services.record(party.officer, app, "base_passed", on=on + timedelta(days=30),
                             data={"vote": no_vote, "conclusion": "通过", "minutes": "委员会讨论通过"})
    assert passed.passed and offer(party.city_admin, app, "approval").offer.open


@pytest.mark.parametrize("party", ["mjin"], indirect=True)
def test_mjin_goes_no_further_until_the_political_review_passes(party):
    app = party.start()
    on = app.applied_on + timedelta(days=20)
    services.record(party.officer, app, "political_review", on=on, data={"conclusion": "不合格", "report": "存疑"})
    errors = errors_of(services.record, party.officer, app, "introducers", on=on,
                       data={"introducers": [m.pk for m in party.people[:2]]})
    assert "须先完成：政治审查" in errors["step"][0] and "依据：《中国民主促进会章程》" in errors["step"][0]
