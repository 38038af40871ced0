"""The upper level's review of meeting records and the record check (issue 12, "honest records"): who may
review (never the branch itself; another subtree: not found), a return needs a comment, a correction sets the
record back to unreviewed and is logged, the returned records on the home page; minutes similarity (copied
minutes flagged, distinct ones not, the pair page scoped) and its measure's properties."""
import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord
from jiceng.orglife import review, services, similarity
from jiceng.orglife.models import Meeting, MinutesBand
from jiceng.orgs import services as orgs

from conftest import errors_of, make_user

pytestmark = pytest.mark.django_db

MINUTES = ("2024年3月15日下午，第一党支部在党员活动室召开支部党员大会，应到党员12人，实到11人，张伟同志因病请假。"
           "会议由支部书记王芳主持，李强记录。会议首先集体学习了习近平总书记在全国两会期间的重要讲话精神，王芳同志领学并谈了体会。"
           "随后，与会党员围绕如何将学习成果转化为推动本单位工作的实际行动进行了交流发言。会议讨论了发展党员工作，"
           "同意将刘洋同志列为入党积极分子。最后，支部书记对下一阶段工作作了部署，要求全体党员立足岗位、发挥先锋模范作用。")
COPIED = (MINUTES.replace("2024年3月15日", "2024年6月20日").replace("张伟", "赵敏").replace("王芳", "陈静")
          .replace("李强", "孙磊").replace("刘洋", "周杰").replace("第一党支部", "第二党支部"))
SAME_THEME = ("2024年4月10日，第二党支部召开支部党员大会，学习习近平总书记重要讲话精神。会议由书记陈静主持。陈静同志传达了"
              "上级党委关于开展党纪学习教育的通知，组织党员逐条学习《中国共产党纪律处分条例》，并结合典型案例进行警示教育。"
              "与会党员逐一发言，对照条例查找自身在遵守纪律方面存在的不足。会议还研究了支部下半年组织生活安排，"
              "决定七月份开展主题党日活动，赴革命纪念馆参观学习。")


def record(org, day=date(2024, 3, 1), minutes="", topic=None):
    return services.record_meeting(None, org, type="general_meeting", held_on=day, topic=topic or f"会议 {day} {org.code}",
                                   minutes=minutes)


@pytest.fixture
def upper(world):
    return make_user("upper", "branch_officer", world.root)


@pytest.fixture
def elsewhere(world):
    """A committee D of another tree with its own officer: A's records are not theirs to find."""
    d = orgs.create_org(None, code="D", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    return make_user("officer_d", "branch_officer", d)


# ------------------------------------------------------------------------------------------------ review rights

def test_the_branch_cannot_review_its_own_records(world):
    m = record(world.a)
    assert not review.may_review(world.officer_a, m)
    with pytest.raises(PermissionDenied):
        review.accept_meeting(world.officer_a, m)
    with pytest.raises(PermissionDenied):
        review.return_meeting(world.officer_a, m, comment="自己退回自己")
    m.refresh_from_db()
    assert m.review == Meeting.UNREVIEWED


def test_a_top_organization_has_no_upper_level_here(world, upper):
    m = services.record_meeting(None, world.root, type=services.meeting_types(world.root)[0].key, held_on=date(2024, 3, 1),
                                topic="党委会议") if services.meeting_types(world.root) else None
    if m is not None:
        assert not review.may_review(upper, m) and not review.may_review(world.admin, m)


def test_the_upper_organization_accepts_and_returns(world, upper):
    m = record(world.a)
    assert review.may_review(upper, m) and review.may_review(world.org_admin, m)
    review.accept_meeting(upper, m)
    m.refresh_from_db()
    assert m.review == Meeting.ACCEPTED
    review.return_meeting(upper, m, comment="出勤人数与签到表不符，请核对")
    m.refresh_from_db()
    assert (m.review, m.review_note) == (Meeting.RETURNED, "出勤人数与签到表不符，请核对")
    log = ChangeRecord.objects.for_object(m).filter(action=ChangeRecord.UPDATE).order_by("id")
    assert [r.after.get("review") for r in log if "review" in r.after][-2:] == ["accepted", "returned"]
    assert log.last().user_id == upper.pk


def test_an_inspector_reads_but_does_not_review(world):
    m = record(world.a)
    assert not review.may_review(world.inspector, m)
    with pytest.raises(PermissionDenied):
        review.accept_meeting(world.inspector, m)


def test_a_return_needs_a_comment_and_changes_nothing_without_one(world, upper):
    m = record(world.a)
    assert "comment" in errors_of(review.return_meeting, upper, m, comment="   ")
    assert "comment" in errors_of(review.return_meeting, upper, m, comment="长" * 301)
    m.refresh_from_db()
    assert m.review == Meeting.UNREVIEWED


def test_correcting_a_returned_record_sets_it_back_to_unreviewed_and_is_logged(world, upper):
    m = record(world.a, minutes="原记录")
    review.return_meeting(upper, m, comment="会议记录过于简单")
    services.correct_meeting(world.officer_a, Meeting.objects.get(pk=m.pk), minutes="补充完整的会议记录")
    m.refresh_from_db()
    assert m.review == Meeting.UNREVIEWED and m.minutes == "补充完整的会议记录"
    last = ChangeRecord.objects.for_object(m).filter(action=ChangeRecord.UPDATE).order_by("-id").first()
    assert last.user_id == world.officer_a.pk
    assert last.before["review"] == "returned" and last.after["review"] == "unreviewed"
    assert last.after["minutes"] == "补充完整的会议记录"


# ------------------------------------------------------------------------------------------------ pages

def test_the_meeting_page_shows_the_buttons_to_the_upper_level_only_and_the_comment_to_the_branch(world, upper):
    m = record(world.a)
    c = Client()
    c.force_login(world.officer_a)
    page = c.get(m.get_absolute_url()).content.decode()
    assert 'id="meeting-review"' in page and 'id="review-form"' not in page
    c.force_login(upper)
    assert 'id="review-form"' in c.get(m.get_absolute_url()).content.decode()
    # a return without a comment is refused on the form, and nothing changes
    r = c.post(f"/orglife/{m.pk}/review/", {"decision": "return", "comment": ""})
    assert r.status_code == 200 and "退回时请写明退回理由" in r.content.decode()
    assert Meeting.objects.get(pk=m.pk).review == Meeting.UNREVIEWED
    r = c.post(f"/orglife/{m.pk}/review/", {"decision": "return", "comment": "缺少决定事项"})
    assert r.status_code == 302
    c.force_login(world.officer_a)
    page = c.get(m.get_absolute_url()).content.decode()
    assert "缺少决定事项" in page and "已退回" in page
    # the branch cannot review itself through the page either
    assert c.post(f"/orglife/{m.pk}/review/", {"decision": "accept"}).status_code == 403
    assert Meeting.objects.get(pk=m.pk).review == Meeting.RETURNED


def test_an_officer_of_another_subtree_gets_not_found(world, elsewhere):
    m = record(world.a)
    c = Client()
    c.force_login(elsewhere)
    assert c.post(f"/orglife/{m.pk}/review/", {"decision": "accept"}).status_code == 404
    api = APIClient()
    api.force_login(elsewhere)
    assert api.post(f"/api/orglife/meetings/{m.pk}/accept/", {}, format="json").status_code == 404
    assert api.post(f"/api/orglife/meetings/{m.pk}/return/", {"comment": "x"}, format="json").status_code == 404
    assert Meeting.objects.get(pk=m.pk).review == Meeting.UNREVIEWED


def test_the_home_page_lists_returned_records_in_scope(world, upper):
    m = record(world.a, topic="三月党员大会")
    other = record(world.b, topic="乙支部会议")
    c = Client()
    c.force_login(world.officer_a)
    assert 'id="home-returned"' not in c.get("/").content.decode()
    review.return_meeting(upper, m, comment="请补充出勤情况")
    review.return_meeting(upper, other, comment="乙的理由")
    page = c.get("/").content.decode()
    assert 'id="home-returned"' in page and "三月党员大会" in page and "请补充出勤情况" in page
    assert "乙支部会议" not in page and "乙的理由" not in page
    # the upper level sees what awaits its review
    c.force_login(upper)
    record(world.a, day=date(2024, 4, 1))
    assert "待审核" in c.get("/").content.decode()


def test_the_review_queue_lists_unreviewed_first_and_filters(world, upper):
    first = record(world.a, day=date(2024, 5, 1), topic="已通过的会议")
    second = record(world.a, day=date(2024, 2, 1), topic="待审核的会议")
    review.accept_meeting(upper, first)
    c = Client()
    c.force_login(upper)
    page = c.get("/orglife/review/").content.decode()
    assert page.index("待审核的会议") < page.index("已通过的会议")
    page = c.get("/orglife/review/?review=accepted").content.decode()
    assert "已通过的会议" in page and "待审核的会议" not in page
    c.force_login(world.officer_a)  # the branch sees its records' status, none of them its own to review
    page = c.get("/orglife/review/?mine=true").content.decode()
    assert "待审核的会议" not in page
    assert second.pk


# ------------------------------------------------------------------------------------------------ API and CLI

def test_api_accept_and_return(world, upper):
    m = record(world.a)
    api = APIClient()
    api.force_login(upper)
    r = api.post(f"/api/orglife/meetings/{m.pk}/return/", {"comment": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    r = api.post(f"/api/orglife/meetings/{m.pk}/return/", {"comment": "请补充"}, format="json")
    assert r.status_code == 200 and r.json()["review"] == "returned"
    assert api.get(f"/api/orglife/meetings/{m.pk}/").json()["review_note"] == "请补充"
    assert api.post(f"/api/orglife/meetings/{m.pk}/accept/", {}, format="json").json()["review"] == "accepted"
    api.force_login(world.officer_a)
    assert api.post(f"/api/orglife/meetings/{m.pk}/accept/", {}, format="json").status_code == 403


def test_cli_review(world, upper):
    m = record(world.a)
    out = StringIO()
    call_command("orglife", "review", str(m.pk), "return", "--comment", "请补充", "--json", "--as", "upper", stdout=out)
    assert json.loads(out.getvalue())["review"] == "returned"
    with pytest.raises(CommandError):
        call_command("orglife", "review", str(m.pk), "accept", "--as", "officer_a", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("orglife", "review", str(m.pk), "return", "--as", "upper", stdout=StringIO())
    assert Meeting.objects.get(pk=m.pk).review == Meeting.RETURNED


# ------------------------------------------------------------------------------------------------ similarity

def test_copied_minutes_with_a_new_date_and_names_are_flagged_distinct_ones_not(world):
    a = record(world.a, day=date(2024, 3, 1), minutes=MINUTES)
    b = record(world.b, day=date(2024, 6, 1), minutes=COPIED)
    c = record(world.b, day=date(2024, 4, 1), minutes=SAME_THEME)
    assert MinutesBand.objects.filter(meeting=a).count() == similarity.BANDS
    found = {(p.a.pk, p.b.pk) for p in similarity.pairs(Meeting.objects.all())}
    assert found == {(a.pk, b.pk)}
    assert [p.b.pk for p in similarity.similar_to(a, Meeting.objects.all())] == [b.pk]
    assert similarity.similar_to(c, Meeting.objects.all()) == []


def test_a_correction_of_the_minutes_updates_the_signature(world):
    a = record(world.a, minutes=MINUTES)
    b = record(world.a, day=date(2024, 4, 1), minutes=SAME_THEME)
    assert similarity.pairs(Meeting.objects.all()) == []
    services.correct_meeting(None, b, minutes=COPIED)
    assert [(p.a.pk, p.b.pk) for p in similarity.pairs(Meeting.objects.all())] == [(a.pk, b.pk)]


def test_meetings_written_as_plain_rows_are_signed_when_checked(world):
    a = record(world.a, minutes=MINUTES)
    b = record(world.a, day=date(2024, 4, 1), minutes=COPIED)
    MinutesBand.objects.all().delete()
    a.minutes_signature.delete()
    b.minutes_signature.delete()
    assert len(similarity.pairs(Meeting.objects.all())) == 1


def test_the_check_page_and_the_pair_page_are_scoped(world, elsewhere):
    a = record(world.a, minutes=MINUTES, topic="甲支部会议")
    b = record(world.a, day=date(2024, 4, 1), minutes=COPIED, topic="甲支部另一会议")
    far = record(world.b, day=date(2024, 5, 1), minutes=COPIED, topic="乙支部会议")
    c = Client()
    c.force_login(world.inspector)
    page = c.get("/orglife/checks/").content.decode()
    assert "甲支部会议" in page and "乙支部会议" in page and "不等于违规" in page
    pair = c.get(f"/orglife/checks/{a.pk}/{far.pk}/").content.decode()
    assert "王芳" in pair and "陈静" in pair  # side by side
    c.force_login(world.officer_a)
    page = c.get("/orglife/checks/").content.decode()
    assert "甲支部另一会议" in page and "乙支部会议" not in page
    assert c.get(f"/orglife/checks/{a.pk}/{b.pk}/").status_code == 200
    assert c.get(f"/orglife/checks/{a.pk}/{far.pk}/").status_code == 404
    c.force_login(elsewhere)
    assert c.get(f"/orglife/checks/{a.pk}/{b.pk}/").status_code == 404
    assert "甲支部会议" not in c.get("/orglife/checks/").content.decode()
    # the meeting page names the similar meeting of the scope only
    c.force_login(world.officer_a)
    detail = c.get(a.get_absolute_url()).content.decode()
    assert 'id="similar-minutes"' in detail and "甲支部另一会议" in detail and "乙支部会议" not in detail


def test_late_entries_are_listed_on_the_check_page(world):
    m = record(world.a, day=date(2024, 1, 5), topic="补录的会议")
    Meeting.objects.filter(pk=m.pk).update(entered_at=m.entered_at.replace(year=2024, month=12, day=1))
    assert Meeting.objects.get(pk=m.pk).late
    c = Client()
    c.force_login(world.inspector)
    page = c.get("/orglife/checks/").content.decode()
    assert page.index("补录的会议") > page.index('id="late-meetings"')


TEXT = st.text(alphabet="党支部会议学习讨论决定同志工作发展组织生活批评自我", min_size=0, max_size=120)


@settings(max_examples=80, deadline=None)
@given(TEXT, TEXT)
def test_the_measure_is_symmetric_bounded_and_one_on_itself(x, y):
    s = similarity.similarity(x, y)
    assert s == similarity.similarity(y, x) and 0.0 <= s <= 1.0
    if len(similarity.normalize(x)) >= similarity.MIN_CHARS:
        assert similarity.similarity(x, x) == 1.0
        # digits, punctuation and spaces do not change it: a copied record with a new date is the same text
        assert similarity.similarity(x, "2024年" + x + "。 12") >= similarity.similarity(x, x) - 0.1
    else:
        assert s == 0.0  # too short to judge: never flagged


@settings(max_examples=40, deadline=None)
@given(TEXT)
def test_identical_minutes_always_share_a_band(x):
    keys = similarity.band_keys(similarity.shingles(x))
    # the same minutes with another date in figures and other punctuation (what normalizing drops)
    assert keys == similarity.band_keys(similarity.shingles(x + " 2024-03-05，No.7"))
    assert len(keys) in (0, similarity.BANDS)


