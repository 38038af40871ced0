"""Plain words (issue 11): no internal code on a page, message, export or document a user reads; every option
list from the profiles in scope; one clear message per mistake."""
import re
from datetime import date, timedelta

import pytest

from jiceng.core import profiles
from jiceng.core.imports import run_import
from jiceng.members.imports import MemberImporter

from conftest import person_id
from test_import import MEMBER_HEADER, member_row, write_csv

pytestmark = pytest.mark.django_db


def test_another_partys_category_in_an_import_gets_one_clear_message(world, tmp_path):
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, [member_row("甲", date(1980, 1, 2), "男", 101, category="社员")])
    result = run_import(MemberImporter(world.org_admin, profiles.get("ccp")), path, "m.csv", world.org_admin)
    said = [p.reason for p in result.problems if p.column == "人员类别"]
    assert len(said) == 1 and "社员" in said[0], said
    assert not any("None" in p.reason for p in result.problems)



def _jiusan(world):
    """A 九三学社 committee → 支社 beside the CCP world, with its own administrator and one 社员 with history."""
    from conftest import add_member, make_user
    from jiceng.orgs import services as orgs

    city = orgs.create_org(None, code="J", name="九三学社市委会", kind="committee", profile="jiusan", founded_on=date(1990, 1, 1))
    base = orgs.create_org(None, code="J001", name="某基层委员会", kind="base_committee", parent=city, founded_on=date(1995, 1, 1))
    branch = orgs.create_org(None, code="J001001", name="某支社", kind="branch", parent=base, founded_on=date(2000, 1, 1))
    person = add_member(branch, "社员甲", category="member", n=70, since=date(2010, 1, 1))
    return city, branch, person, make_user("jiusan_admin", "org_admin", city)


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


CODES = ("@20", "[firm]", "[local]", "[verify]", "org_id:", "category:", ">None<", "None")


def _visible(html: str) -> str:
    """What a reader sees without opening a disclosure: the page minus <details> (the full citation) and tags."""
    html = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_a_reader_sees_carry_no_internal_codes(world):
    from jiceng.admission import services as adm
    from jiceng.members import services as members

    members.change_category(world.admin, world.a_members[1], "probationary", on=date(2024, 1, 1)) \
        if hasattr(members, "change_category") else None
    app = adm.start(world.admin, org=world.a, on=date(2024, 3, 1), person={"name": "王新", "sex": "男", "birth_date": date(2000, 5, 1)})
    # a late talk: recorded with a warning that cites its rule
    adm.record(world.admin, app, "talk", on=date(2024, 4, 20),
               data={"talkers": [world.a_members[0].pk], "record": "谈话了解入党动机"})
    city, branch, person, _admin = _jiusan(world)
    web = _client(world.admin)
    raw_keys = re.compile(r"\b(full|probationary|development_target|activist|applicant|joint_branch|general_branch|"
                          r"committee|branch|member)\b")
    for url in (world.a.get_absolute_url(), world.root.get_absolute_url(), world.a_members[1].get_absolute_url(),
                app.get_absolute_url(), branch.get_absolute_url(), person.get_absolute_url(), "/changes/"):
        r = web.get(url)
        assert r.status_code == 200, url
        seen = _visible(r.content.decode())
        for code in CODES:
            assert code not in seen, (url, code, seen[max(0, seen.find(code) - 200):seen.find(code) + 100])
        text = re.sub(r"\s+", " ", seen)
        found = [m.group(0) for m in raw_keys.finditer(text)]
        assert not found, (url, found, text[max(0, text.find(found[0]) - 150):text.find(found[0]) + 80] if found else "")
    body = web.get(app.get_absolute_url()).content.decode()
    assert "依据：《中国共产党发展党员工作细则》第八条" in body and "<details" in body
    # the talk's record names its talker, never a member's id
    from jiceng.admission.models import StepRecord
    from jiceng.core.changes import describe
    from jiceng.core.models import ChangeRecord

    talk = StepRecord.objects.get(application=app, step="talk")
    texts = [new for c in ChangeRecord.objects.for_object(talk) for label, _old, new in describe(c) if label == "记录内容"]
    assert texts and f"谈话人：{world.a_members[0].name}" in texts[0], texts


def test_a_change_reads_in_labels_and_names(world):
    from jiceng.core.changes import describe
    from jiceng.core.models import ChangeRecord
    from jiceng.members import services as members

    m = world.a_members[1]
    members.transfer(world.admin, m, world.b, on=date(2024, 1, 1)) if hasattr(members, "transfer") else None
    rows = [r for c in ChangeRecord.objects.for_object(m) for r in describe(c)]
    texts = " ".join(f"{label}：{old} → {new}" for label, old, new in rows)
    assert "人员类别：" in texts and "正式党员" in texts and "所在组织：" in texts and "第一党支部" in texts
    assert "None" not in texts and "org_id" not in texts and "category:" not in texts and " full" not in texts


def test_the_create_form_offers_only_kinds_that_may_sit_under_the_parent(world):
    web = _client(world.admin)
    page = web.get(f"/orgs/add/?parent={world.a.pk}").content.decode()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page.split('name="kind"')[1].split("</select>")[0])
    assert [label for _v, label in options] == ["党小组"]
    page = web.get(f"/orgs/add/?parent={world.root.pk}").content.decode()
    kinds = re.findall(r'<option value="[^"]*"[^>]*>([^<]*)</option>', page.split('name="kind"')[1].split("</select>")[0])
    assert "支社" not in kinds and "党支部" in kinds and len(kinds) == len(set(kinds))
    # a kind of another party is refused, never turned into a 党支部
    r = web.post(f"/orgs/add/?parent={world.root.pk}", {"code": "X1", "name": "某支社", "kind": "jiusan:branch"})
    from jiceng.orgs.models import Org

    assert not Org.objects.filter(code="X1").exists() and r.status_code == 200


def test_member_filters_offer_the_categories_of_the_profiles_in_scope(world):
    _city, _branch, _person, jiusan_admin = _jiusan(world)
    for user, own, foreign in ((world.org_admin, "正式党员", "社员"), (jiusan_admin, "社员", "正式党员")):
        page = _client(user).get("/members/").content.decode()
        select = page.split('name="category"')[1].split("</select>")[0]
        assert own in select and foreign not in select, (user, select)


def test_a_joint_branch_is_not_told_to_consider_a_joint_branch(world):
    from jiceng.orgs.services import triggered

    found = triggered(profiles.get("ccp"), "joint_branch", {"full": 2}, {})
    assert found and not any("联合党支部）" in w["message"] or "joint branch)" in w["message"] for w in found)
    assert any("不能单独成立党支部" in w["message"] for w in triggered(profiles.get("ccp"), "branch", {"full": 2}, {}))


def test_a_future_birth_date_gets_one_message(world):
    from conftest import errors_of
    from jiceng.members import services as members

    born = date.today() + timedelta(days=3650)
    errors = errors_of(members.create_member, world.admin, org=world.a, category="full", name="未来", sex="男",
                       birth_date=born, id_number=person_id(date(1985, 5, 1), "男", 90),
                       applied_on=date(2008, 1, 1), joined_on=date(2009, 1, 1), confirmed_on=date(2010, 1, 1))
    said = [m for msgs in errors.values() for m in msgs]
    assert said == ["出生日期不能晚于今天"], said


def test_the_language_menu_names_each_language_in_its_own_words(world):
    page = _client(world.admin).get("/").content.decode()
    assert "中文" in page and "English" in page
