"""The REST API as its users rely on it: tokens, filters, scoping, masking, validation, history."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.core.models import ChangeRecord
from jiceng.core.vocab import AGE_BANDS
from jiceng.members import services as member_services
from jiceng.members.models import BelongingLine, CategoryLine, Member
from jiceng.orgs import services as org_services
from jiceng.orgs.models import Org, OrgLine

from conftest import PASSWORD, add_member, person_id

MEMBERS, ORGS = "/api/members/", "/api/orgs/"
HAN = re.compile(r"[\u4e00-\u9fff]")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "jiceng" / "locale"


# --- helpers -------------------------------------------------------------------------

def client_for(user=None, **headers) -> APIClient:
    """A client authenticated the way API users are: `Authorization: Token <key>`."""
    c = APIClient(**headers)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


def names(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    return sorted(m["name"] for m in resp.data["results"])


def codes(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    return sorted(o["code"] for o in resp.data["results"])


def counts() -> tuple[int, ...]:
    return (Member.objects.count(), ChangeRecord.objects.count(), CategoryLine.objects.count(),
            BelongingLine.objects.count(), Org.objects.count(), OrgLine.objects.count())


def chinese(messages) -> bool:
    return all(HAN.search(str(m)) for m in messages)


def band_of(born: date) -> str:
    age = profiles.age_on(born, today())
    return next(label for label, low, high in AGE_BANDS if low <= age <= high)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The conftest users get Argon2 hashes (~0.3 s each); a fast hasher keeps this module quick.

    Autouse, so it is in place before `world` creates the users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(world):
    return client_for(world.admin)


@pytest.fixture
def org_admin(world):
    return client_for(world.org_admin)


@pytest.fixture
def officer(world):
    return client_for(world.officer_a)


@pytest.fixture
def inspector(world):
    return client_for(world.inspector)


@pytest.fixture
def member_user(world):
    return client_for(world.member_user)


# --- authentication ------------------------------------------------------------------

@pytest.mark.parametrize("url", [MEMBERS, ORGS, "/api/schema/"])
def test_anonymous_gets_401_on_lists_and_schema(world, url):
    resp = client_for().get(url)
    assert resp.status_code == 401
    assert resp["WWW-Authenticate"].startswith("Token")


def test_anonymous_gets_401_on_detail(world):
    anon = client_for()
    assert anon.get(f"{MEMBERS}{world.a_members[0].pk}/").status_code == 401
    assert anon.get(f"{ORGS}{world.a.pk}/").status_code == 401
    assert anon.patch(f"{MEMBERS}{world.a_members[0].pk}/", {"employer": "x"}, format="json").status_code == 401


def test_token_from_right_password_works(world):
    anon = client_for()
    resp = anon.post("/api/token/", {"username": "officer_a", "password": PASSWORD}, format="json")
    assert resp.status_code == 200, resp.content
    key = resp.data["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert names(anon.get(MEMBERS)) == ["甲1", "甲2", "甲3"]
    # the schema is served to authenticated users
    schema = anon.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/members/" in schema.json()["paths"]


def test_token_with_wrong_password_is_400_and_gives_nothing(world):
    resp = client_for().post("/api/token/", {"username": "officer_a", "password": "wrong-pass-0"}, format="json")
    assert resp.status_code == 400
    assert "token" not in resp.data
    bogus = client_for()
    bogus.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert bogus.get(MEMBERS).status_code == 401


# --- listing and filtering members ---------------------------------------------------

@pytest.fixture
def varied(world):
    """One extra member in C001 with distinct category, sex, age, education and employment."""
    born = date(today().year - 25, 1, 15)
    return member_services.create_member(None,
        org=world.a, category="activist", name="丙1", sex="女", birth_date=born, id_number=person_id(born, "女", 40),
        applied_on=date(today().year - 3, 1, 1), since=date(today().year - 2, 1, 1),
        education="大学本科", employment="学生", phone="13800138000")


def test_list_all_for_admin_with_count(admin, world):
    resp = admin.get(MEMBERS)
    assert resp.data["count"] == 6
    assert names(resp) == ["乙1", "乙2", "乙3", "甲1", "甲2", "甲3"]
    first = resp.data["results"][0]
    assert first["category"] == "full" and first["category_label"] == "正式党员"
    assert first["org_code"] in ("C001", "C002")


def test_filter_by_category(admin, varied):
    assert names(admin.get(MEMBERS, {"category": "activist"})) == ["丙1"]
    assert names(admin.get(MEMBERS, {"category": ["activist", "full"]})) == ["丙1", "乙1", "乙2", "乙3", "甲1", "甲2", "甲3"]
    assert admin.get(MEMBERS, {"category": "no_such_category"}).status_code == 400


def test_filter_by_sex(admin, varied):
    assert names(admin.get(MEMBERS, {"sex": "女"})) == ["丙1", "乙1", "乙2", "乙3"]
    assert names(admin.get(MEMBERS, {"sex": "男"})) == ["甲1", "甲2", "甲3"]


def test_q_by_name(admin, varied):
    assert names(admin.get(MEMBERS, {"q": "甲"})) == ["甲1", "甲2", "甲3"]
    assert names(admin.get(MEMBERS, {"q": "乙2"})) == ["乙2"]
    assert names(admin.get(MEMBERS, {"q": "nobody"})) == []


def test_q_by_phone_prefix(admin, varied):
    assert names(admin.get(MEMBERS, {"q": "1380013"})) == ["丙1"]


def test_q_by_exact_id_number_finds_exactly_that_person(admin, world):
    target = world.b_members[1]
    number = target.id_number
    assert names(admin.get(MEMBERS, {"q": number})) == ["乙2"]
    # spaces and a lowercase x are normalized the same way as on input
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
    assert names(admin.get(MEMBERS, {"q": spaced})) == ["乙2"]
    # a prefix of an ID number is not a search by ID number
    assert names(admin.get(MEMBERS, {"q": number[:10]})) == []


def test_filter_by_org_subtree_id(admin, world):
    assert names(admin.get(MEMBERS, {"org": world.a.pk})) == ["甲1", "甲2", "甲3"]
    assert names(admin.get(MEMBERS, {"org": world.root.pk})) == ["乙1", "乙2", "乙3", "甲1", "甲2", "甲3"]


def test_filter_by_org_code_subtree(admin, world):
    assert names(admin.get(MEMBERS, {"org_code": "C002"})) == ["乙1", "乙2", "乙3"]
    assert names(admin.get(MEMBERS, {"org_code": "C"})) == ["乙1", "乙2", "乙3", "甲1", "甲2", "甲3"]
    # a code that names no organization is said, as an unknown id is, never an empty list (issue 11)
    unknown = admin.get(MEMBERS, {"org_code": "NOPE"})
    assert unknown.status_code == 400 and "NOPE" in unknown.json()["org_code"][0]


def test_filter_by_age_band(admin, varied):
    assert names(admin.get(MEMBERS, {"age_band": band_of(varied.birth_date)})) == ["丙1"]
    assert "丙1" not in names(admin.get(MEMBERS, {"age_band": band_of(date(1985, 5, 1))}))
    assert len(names(admin.get(MEMBERS, {"age_band": band_of(date(1985, 5, 1))}))) == 6


def test_filter_by_education_and_employment(admin, varied):
    assert names(admin.get(MEMBERS, {"education": "大学本科"})) == ["丙1"]
    assert names(admin.get(MEMBERS, {"employment": "学生"})) == ["丙1"]
    assert names(admin.get(MEMBERS, {"employment": "在职"})) == []


def test_filters_combine(admin, varied):
    assert names(admin.get(MEMBERS, {"org_code": "C001", "sex": "女"})) == ["丙1"]
    assert names(admin.get(MEMBERS, {"org_code": "C002", "category": "activist"})) == []


def test_pagination_limit_offset(admin, world):
    page = admin.get(MEMBERS, {"limit": 2, "offset": 2})
    assert page.status_code == 200
    assert page.data["count"] == 6
    assert len(page.data["results"]) == 2
    assert "offset=4" in page.data["next"] and page.data["previous"]
    everyone = [m["id"] for m in admin.get(MEMBERS).data["results"]]
    pages = [m["id"] for off in (0, 2, 4) for m in admin.get(MEMBERS, {"limit": 2, "offset": off}).data["results"]]
    assert pages == everyone  # stable order, no overlap, nothing lost
    last = admin.get(MEMBERS, {"limit": 2, "offset": 4}).data
    assert last["next"] is None


# --- scoping -------------------------------------------------------------------------

def test_officer_lists_only_own_branch(officer, world):
    resp = officer.get(MEMBERS)
    assert names(resp) == ["甲1", "甲2", "甲3"]
    assert resp.data["count"] == 3
    # even when asking for the other branch by code: refused in the words of a code that names nothing
    for code in ("C002", "C"):
        resp = officer.get(MEMBERS, {"org_code": code})
        assert resp.status_code == 400 and resp.json()["org_code"] == [f"没有编码为“{code}”的组织"]


def test_officer_cannot_probe_out_of_scope_org_by_id(officer, world):
    resp = officer.get(MEMBERS, {"org": world.b.pk})
    assert resp.status_code == 400  # not a choice for this user: no hint whether it exists


def test_officer_gets_404_not_403_for_other_branch_member(officer, world):
    other = world.b_members[0]
    assert officer.get(f"{MEMBERS}{other.pk}/").status_code == 404
    before = counts()
    resp = officer.patch(f"{MEMBERS}{other.pk}/", {"employer": "越权单位"}, format="json")
    assert resp.status_code == 404
    assert counts() == before
    other.refresh_from_db()
    assert other.employer == ""


def test_officer_can_edit_own_branch_member(officer, world):
    mine = world.a_members[1]
    resp = officer.patch(f"{MEMBERS}{mine.pk}/", {"employer": "第一车间"}, format="json")
    assert resp.status_code == 200, resp.content
    mine.refresh_from_db()
    assert mine.employer == "第一车间"


def test_officer_org_list_is_own_branch_only(officer, world):
    assert codes(officer.get(ORGS)) == ["C001"]
    assert officer.get(f"{ORGS}{world.b.pk}/").status_code == 404
    assert officer.get(f"{ORGS}{world.root.pk}/").status_code == 404


def test_officer_cannot_create_or_change_organizations(officer, world):
    before = counts()
    resp = officer.post(ORGS, {"code": "C001-1", "name": "第一党小组", "kind": "group", "parent_code": "C001"}, format="json")
    assert resp.status_code in (400, 403), resp.content
    resp = officer.patch(f"{ORGS}{world.a.pk}/", {"name": "改名支部"}, format="json")
    assert resp.status_code in (403, 404), resp.content
    assert counts() == before
    world.a.refresh_from_db()
    assert world.a.name == "第一党支部"


def test_inspector_reads_everything_in_scope(inspector, world):
    assert names(inspector.get(MEMBERS)) == ["乙1", "乙2", "乙3", "甲1", "甲2", "甲3"]
    assert inspector.get(f"{MEMBERS}{world.b_members[0].pk}/").status_code == 200
    assert codes(inspector.get(ORGS)) == ["C", "C001", "C002"]
    assert inspector.get(f"{ORGS}{world.a.pk}/").status_code == 200


def test_inspector_cannot_patch(inspector, world):
    before = counts()
    m = world.a_members[0]
    assert inspector.patch(f"{MEMBERS}{m.pk}/", {"employer": "x"}, format="json").status_code in (403, 404)
    assert inspector.put(f"{MEMBERS}{m.pk}/", {"name": "x", "org_code": "C001", "category": "full"},
                         format="json").status_code in (403, 404)
    assert inspector.patch(f"{ORGS}{world.a.pk}/", {"name": "x"}, format="json").status_code in (403, 404)
    assert counts() == before


def test_inspector_cannot_post(inspector, world):
    """A read-only role is refused outright (403/404), not told its input was invalid (400)."""
    before = counts()
    born = date(1990, 3, 4)
    member = {"name": "丁", "sex": "男", "birth_date": born.isoformat(), "id_number": person_id(born, "男", 30),
              "org_code": "C001", "category": "入党申请人"}
    r1 = inspector.post(MEMBERS, member, format="json")
    r2 = inspector.post(ORGS, {"code": "C003", "name": "第三党支部", "kind": "branch", "parent_code": "C"}, format="json")
    assert counts() == before
    assert (r1.status_code, r2.status_code) in {(403, 403), (404, 404)}, (r1.status_code, r1.data, r2.status_code, r2.data)


def test_member_role_sees_exactly_themself(member_user, world):
    resp = member_user.get(MEMBERS)
    assert names(resp) == ["甲1"]
    assert resp.data["count"] == 1
    assert member_user.get(f"{MEMBERS}{world.a_members[0].pk}/").status_code == 200
    assert member_user.get(f"{MEMBERS}{world.a_members[1].pk}/").status_code == 404
    assert codes(member_user.get(ORGS)) == []
    # reading oneself is not editing oneself
    before = counts()
    resp = member_user.patch(f"{MEMBERS}{world.a_members[0].pk}/", {"employer": "x"}, format="json")
    assert resp.status_code in (403, 404)
    assert counts() == before


def test_org_admin_creates_org_under_scope(org_admin, world):
    resp = org_admin.post(ORGS, {"code": "C003", "name": "第三党支部", "kind": "branch", "parent_code": "C",
                                 "founded_on": "2020-07-01"}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.data["parent_code"] == "C"
    assert resp.data["profile"] == "ccp"  # inherited
    assert resp.data["depth"] == 1
    assert resp.data["kind_label"] == "党支部"
    new = Org.objects.get(code="C003")
    assert new.parent == world.root and new.path.startswith(world.root.path)
    assert OrgLine.objects.filter(org=new, reason="founded", start=date(2020, 7, 1)).exists()
    assert "C003" in codes(org_admin.get(ORGS))


def test_org_admin_cannot_create_under_root_outside_scope(org_admin, world):
    org_services.create_org(None, code="D", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    before = counts()
    resp = org_admin.post(ORGS, {"code": "D001", "name": "外部支部", "kind": "branch", "parent_code": "D"}, format="json")
    assert resp.status_code == 400
    assert "parent_code" in resp.data
    assert chinese(resp.data["parent_code"])
    assert counts() == before


def test_non_superuser_cannot_create_root(org_admin, world):
    before = counts()
    resp = org_admin.post(ORGS, {"code": "R", "name": "根", "kind": "committee", "profile": "ccp"}, format="json")
    assert resp.status_code == 400
    assert "parent_code" in resp.data
    assert counts() == before


# --- resident ID numbers -------------------------------------------------------------

@pytest.mark.parametrize("who", ["officer", "inspector"])
def test_id_numbers_masked_for_officer_and_inspector(request, world, who):
    c = request.getfixturevalue(who)
    m = world.a_members[0]
    full = m.id_number
    shown = c.get(f"{MEMBERS}{m.pk}/").data["id_number"]
    assert shown == full[:4] + "*" * 10 + full[-4:]
    assert shown.startswith("1201**********")
    listed = {x["id"]: x["id_number"] for x in c.get(MEMBERS).data["results"]}
    assert all("*" in v and len(v) == 18 for v in listed.values())


@pytest.mark.parametrize("who", ["org_admin", "admin"])
def test_id_numbers_full_for_org_admin_and_superuser_in_detail_only(request, world, who):
    c = request.getfixturevalue(who)
    m = world.b_members[2]
    assert c.get(f"{MEMBERS}{m.pk}/").data["id_number"] == m.id_number
    listed = {x["id"]: x["id_number"] for x in c.get(MEMBERS).data["results"]}
    assert listed[m.pk] == m.id_number[:4] + "*" * 10 + m.id_number[-4:]  # a list is masked whatever the role


def test_masked_id_number_sent_back_does_not_change_it(officer, world):
    m = world.a_members[0]
    full = m.id_number
    body = officer.get(f"{MEMBERS}{m.pk}/").data
    resp = officer.patch(f"{MEMBERS}{m.pk}/", {"id_number": body["id_number"], "employer": "回写"}, format="json")
    assert resp.status_code == 200, resp.content
    m.refresh_from_db()
    assert m.id_number == full and m.employer == "回写"


# --- creating members: validation ----------------------------------------------------

BORN = date(1990, 3, 4)


def good_member(**overrides) -> dict:
    data = {"name": "丁一", "sex": "男", "birth_date": BORN.isoformat(), "id_number": person_id(BORN, "男", 30),
            "phone": "13912345678", "org_code": "C001", "category": "入党申请人", "since": "2015-01-01"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_member_ok(org_admin, world):
    rid = str(uuid.uuid4())
    resp = org_admin.post(MEMBERS, good_member(), format="json", HTTP_X_REQUEST_ID=rid)
    assert resp.status_code == 201, resp.content
    assert resp["X-Request-ID"] == rid
    m = Member.objects.get(pk=resp.data["id"])
    assert (m.name, m.org, m.category) == ("丁一", world.a, "applicant")
    assert m.id_number == person_id(BORN, "男", 30)
    assert list(m.category_lines.values_list("category", "start", "end")) == [("applicant", date(2015, 1, 1), None)]
    assert m.belonging_lines.get().org == world.a
    rec = ChangeRecord.objects.for_object(m).get(action="create")
    assert (rec.user, rec.channel, str(rec.request_id)) == (world.org_admin, "api", rid)
    assert "id_number_cipher" not in rec.after  # the number never reaches the log in clear or cipher
    # category by key works as well as by label
    resp = org_admin.post(MEMBERS, good_member(name="丁二", id_number=person_id(BORN, "男", 31), category="activist",
                                               applied_on="2014-01-01", since="2015-01-01"), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.data["category"] == "activist" and resp.data["category_label"] == "入党积极分子"


def _future_birth():
    return today().replace(year=today().year + 1) if not (today().month == 2 and today().day == 29) else today() + timedelta(days=366)


def _young_birth():
    t = today()
    return date(t.year - 10, t.month, 28 if t.month == 2 and t.day == 29 else t.day)


def _bad_check_char(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


BAD_INPUTS = {
    "bad_id_check_char": (lambda: good_member(id_number=_bad_check_char(person_id(BORN, "男", 30))), "id_number", "校验位"),
    "id_birth_disagrees": (lambda: good_member(birth_date="1990-03-05"), "birth_date", "不一致"),
    "id_sex_disagrees": (lambda: good_member(sex="女"), "sex", "不一致"),
    "birth_in_future": (lambda: good_member(birth_date=_future_birth().isoformat(), id_number="", since=None), "birth_date", "晚于今天"),
    "too_young": (lambda: good_member(birth_date=_young_birth().isoformat(), id_number=person_id(_young_birth(), "男", 32),
                                      since=None), "birth_date", "18"),
    "unknown_category": (lambda: good_member(category="党员候选人"), "category", "党员候选人"),
    "unknown_org_code": (lambda: good_member(org_code="NOPE"), "org_code", "NOPE"),
    "phone_not_11_digits": (lambda: good_member(phone="1391234567"), "phone", "11"),
    "phone_letters": (lambda: good_member(phone="1391234567a"), "phone", "11"),
    "missing_name": (lambda: good_member(name=""), "name", ""),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_create_member_bad_input_is_400_and_writes_nothing(org_admin, world, case):
    make, field, needle = BAD_INPUTS[case]
    payload = make()
    before = counts()
    resp = org_admin.post(MEMBERS, payload, format="json")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    assert field in resp.data, resp.data
    messages = resp.data[field]
    assert chinese(messages), messages
    assert any(needle in str(m) for m in messages), messages
    assert counts() == before


def test_create_member_several_errors_reported_together(org_admin, world):
    before = counts()
    resp = org_admin.post(MEMBERS, good_member(sex="女", birth_date="1990-03-05", phone="123"), format="json")
    assert resp.status_code == 400
    assert {"sex", "birth_date", "phone"} <= set(resp.data)
    assert counts() == before


def test_create_member_duplicate_id_number(org_admin, world):
    existing = world.b_members[0]
    before = counts()
    resp = org_admin.post(MEMBERS, good_member(id_number=existing.id_number, sex=existing.sex,
                                               birth_date=existing.birth_date.isoformat()), format="json")
    assert resp.status_code == 400
    assert "已登记" in str(resp.data["id_number"])
    assert counts() == before


def test_create_member_in_out_of_scope_org_is_refused(officer, world):
    before = counts()
    resp = officer.post(MEMBERS, good_member(org_code="C002"), format="json")
    assert resp.status_code == 400
    assert "org_code" in resp.data
    assert counts() == before


def test_messages_default_to_chinese(org_admin, world):
    resp = org_admin.post(MEMBERS, {}, format="json")
    assert resp.status_code == 400
    assert chinese(resp.data["name"])  # DRF's own messages, in its zh-hans catalog
    resp = org_admin.post(MEMBERS, good_member(phone="123"), format="json")
    assert chinese(resp.data["phone"])


def test_accept_language_en_gives_english_framework_messages(world):
    c = client_for(world.org_admin, HTTP_ACCEPT_LANGUAGE="en")
    resp = c.post(MEMBERS, {}, format="json")
    assert resp.status_code == 400
    assert resp.data["name"] == ["This field is required."]


@pytest.mark.skipif(not (LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo").exists(),
                    reason="English catalog not compiled (jiceng/locale/en/…/django.mo; see jiceng.core.i18n.compile_catalogs)")
def test_accept_language_en_gives_english_service_messages(world):
    c = client_for(world.org_admin, HTTP_ACCEPT_LANGUAGE="en")
    before = counts()
    resp = c.post(MEMBERS, good_member(phone="123", id_number=_bad_check_char(person_id(BORN, "男", 30))), format="json")
    assert resp.status_code == 400
    assert resp.data["phone"] == ["The mobile number must be 11 digits starting with 1."]
    assert "check digit" in str(resp.data["id_number"][0])
    resp = c.post(MEMBERS, good_member(category="党员候选人"), format="json")
    assert "is not a category of" in str(resp.data["category"][0])
    assert counts() == before
    # and the next request without the header is Chinese again
    assert chinese(client_for(world.org_admin).post(MEMBERS, good_member(phone="123"), format="json").data["phone"])


# --- updating members ----------------------------------------------------------------

def test_patch_employer_is_logged_with_user_and_request_id(org_admin, world):
    m = world.a_members[1]
    rid = str(uuid.uuid4())
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"employer": "天津第一机床厂"}, format="json", HTTP_X_REQUEST_ID=rid)
    assert resp.status_code == 200, resp.content
    assert resp.data["employer"] == "天津第一机床厂"
    assert resp["X-Request-ID"] == rid
    m.refresh_from_db()
    assert m.employer == "天津第一机床厂"
    rec = ChangeRecord.objects.for_object(m).filter(action="update").get()
    assert rec.before == {"employer": ""} and rec.after == {"employer": "天津第一机床厂"}
    assert rec.user == world.org_admin
    assert rec.channel == "api"
    assert str(rec.request_id) == rid
    assert rec.org_path == world.a.path


def test_response_carries_a_request_id_when_none_sent(org_admin, world):
    resp = org_admin.get(MEMBERS)
    uuid.UUID(resp["X-Request-ID"])
    bad = org_admin.get(MEMBERS, HTTP_X_REQUEST_ID="not-a-uuid")
    assert bad["X-Request-ID"] != "not-a-uuid"
    uuid.UUID(bad["X-Request-ID"])


def test_patch_with_bad_value_writes_nothing(org_admin, world):
    m = world.a_members[1]
    before = counts()
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"employer": "新单位", "sex": "女"}, format="json")
    assert resp.status_code == 400
    assert "sex" in resp.data and chinese(resp.data["sex"])
    assert counts() == before
    m.refresh_from_db()
    assert m.employer == ""


def test_patch_org_code_transfers_member(org_admin, world):
    m = world.a_members[2]
    old_line = m.belonging_lines.get(end__isnull=True)
    on = date(2024, 3, 1)
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"org_code": "C002", "on": on.isoformat()}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.data["org_code"] == "C002"
    m.refresh_from_db()
    assert m.org == world.b and m.org_path == world.b.path
    old_line.refresh_from_db()
    assert old_line.org == world.a and old_line.end == on
    new_line = m.belonging_lines.get(end__isnull=True)
    assert (new_line.org, new_line.start) == (world.b, on)
    # the transfer is visible in the lists straight away
    assert "甲3" in names(org_admin.get(MEMBERS, {"org_code": "C002"}))
    assert "甲3" not in names(org_admin.get(MEMBERS, {"org_code": "C001"}))


def test_patch_org_code_with_date_before_current_line_is_refused(org_admin, world):
    m = world.a_members[2]
    before = counts()
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"org_code": "C002", "on": "2000-01-01"}, format="json")
    assert resp.status_code == 400
    assert "on" in resp.data
    assert counts() == before
    m.refresh_from_db()
    assert m.org == world.a


def test_officer_cannot_transfer_member_out_of_scope(officer, world):
    m = world.a_members[2]
    before = counts()
    resp = officer.patch(f"{MEMBERS}{m.pk}/", {"org_code": "C002"}, format="json")
    assert resp.status_code == 400
    assert "org_code" in resp.data
    assert counts() == before


def test_patch_category_is_a_correction_with_its_reason_on_the_dated_line(org_admin, world):
    m = add_member(world.a, "丙2", category="activist", n=41, since=date(2016, 1, 1))
    on = date(2020, 6, 1)
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"category": "发展对象", "on": on.isoformat()}, format="json")
    assert resp.status_code == 400 and "reason" in resp.data  # a correction says why
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"category": "发展对象", "on": on.isoformat(), "reason": "录入时选错"},
                           format="json")
    assert resp.status_code == 200, resp.content
    assert m.category_lines.get(end__isnull=True).note == "更正：录入时选错"
    assert resp.data["category"] == "development_target"
    m.refresh_from_db()
    assert m.category == "development_target"
    lines = list(m.category_lines.order_by("start").values_list("category", "start", "end"))
    assert lines[-2:] == [("activist", date(2016, 1, 1), on), ("development_target", on, None)]


def test_patch_birth_date_too_young_for_category_is_refused(org_admin, world):
    """Create refuses a full member under 18; an update must not make one either."""
    m = world.a_members[0]
    young = date(today().year - 10, 5, 1)
    before = counts()
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"birth_date": young.isoformat(), "id_number": person_id(young, "男", 50)},
                           format="json")
    assert resp.status_code == 400, (resp.status_code, resp.data)
    assert "birth_date" in resp.data and chinese(resp.data["birth_date"])
    assert counts() == before


def test_patch_unknown_category_is_refused(org_admin, world):
    m = world.a_members[0]
    before = counts()
    resp = org_admin.patch(f"{MEMBERS}{m.pk}/", {"category": "群众"}, format="json")
    assert resp.status_code == 400
    assert "category" in resp.data and chinese(resp.data["category"])
    assert counts() == before


# --- updating organizations ----------------------------------------------------------

def test_patch_parent_code_moves_org(org_admin, world):
    gb = org_services.create_org(None, code="C100", name="党总支", kind="general_branch", parent=world.root,
                                 founded_on=date(2001, 1, 1))
    on = date(2023, 9, 1)
    resp = org_admin.patch(f"{ORGS}{world.b.pk}/", {"parent_code": "C100", "on": on.isoformat()}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.data["parent_code"] == "C100"
    assert resp.data["depth"] == 2
    world.b.refresh_from_db()
    assert world.b.parent == gb and world.b.path.startswith(gb.path)
    # members follow the subtree
    assert all(p.startswith(gb.path) for p in Member.objects.filter(org=world.b).values_list("org_path", flat=True))
    assert names(org_admin.get(MEMBERS, {"org_code": "C100"})) == ["乙1", "乙2", "乙3"]
    moved = world.b.lines.get(end__isnull=True)
    assert (moved.reason, moved.start, moved.parent_id) == ("moved", on, gb.pk)


def test_patch_parent_code_cycle_is_refused(org_admin, world):
    before = counts()
    path = world.root.path
    resp = org_admin.patch(f"{ORGS}{world.root.pk}/", {"parent_code": "C001"}, format="json")
    assert resp.status_code == 400, resp.content
    assert "循环" in str(resp.data)
    assert counts() == before
    world.root.refresh_from_db()
    assert world.root.parent is None and world.root.path == path


def test_service_errors_are_keyed_by_api_field_names(org_admin, world):
    """A client must be able to put each message next to the field it sent: `parent_code`, `org_code`."""
    cycle = org_admin.patch(f"{ORGS}{world.root.pk}/", {"parent_code": "C001"}, format="json")
    assert cycle.status_code == 400
    org_services.create_org(None, code="C001-G", name="党小组", kind="group", parent=world.a, founded_on=date(2002, 1, 1))
    no_members = org_admin.post(MEMBERS, good_member(org_code="C001-G"), format="json")
    assert no_members.status_code == 400
    assert "parent_code" in cycle.data, cycle.data
    assert "org_code" in no_members.data, no_members.data


def test_patch_org_name_is_dated(org_admin, world):
    resp = org_admin.patch(f"{ORGS}{world.a.pk}/", {"name": "第一党支部（机关）", "on": "2022-01-01"}, format="json")
    assert resp.status_code == 200, resp.content
    world.a.refresh_from_db()
    assert world.a.name == "第一党支部（机关）"
    line = world.a.lines.get(end__isnull=True)
    assert (line.reason, line.start, line.name) == ("renamed", date(2022, 1, 1), "第一党支部（机关）")


@pytest.mark.parametrize("founded_on", ["2999-01-01", "1990-01-01"], ids=["future", "before_parent"])
def test_patch_org_founding_date_is_checked_like_on_create(org_admin, world, founded_on):
    """Create refuses a founding date in the future or before the parent's (2000-01-01); so must an update."""
    before = counts()
    resp = org_admin.patch(f"{ORGS}{world.a.pk}/", {"founded_on": founded_on}, format="json")
    assert resp.status_code == 400, (resp.status_code, resp.data)
    assert "founded_on" in resp.data
    assert counts() == before


def test_patch_org_profile_is_refused(org_admin, world):
    before = counts()
    resp = org_admin.patch(f"{ORGS}{world.a.pk}/", {"profile": "mjin"}, format="json")
    assert resp.status_code == 400
    assert "profile" in resp.data
    assert counts() == before


def test_org_filters(admin, world):
    assert codes(admin.get(ORGS, {"within": "C"})) == ["C", "C001", "C002"]
    assert codes(admin.get(ORGS, {"kind": "branch"})) == ["C001", "C002"]
    assert codes(admin.get(ORGS, {"q": "第二"})) == ["C002"]
    assert codes(admin.get(ORGS, {"within": "NOPE"})) == []


# --- robustness on odd input found by reading the code -------------------------------

@pytest.mark.parametrize("number", [
    "²20101198505010030",  # a superscript digit: str.isdigit() is true, int() refuses it
    "12010119850501003²",
])
def test_unicode_digit_id_number_is_a_400_not_a_500(org_admin, world, number):
    before = counts()
    resp = org_admin.post(MEMBERS, good_member(id_number=number), format="json")
    assert resp.status_code == 400, resp.status_code
    assert "id_number" in resp.data
    assert counts() == before


def test_unicode_digit_search_is_not_a_500(org_admin, world):
    assert org_admin.get(MEMBERS, {"q": "²20101198505010030"}).status_code == 200


def test_non_ascii_decimal_digits_are_not_a_valid_id_number(org_admin, world):
    """Arabic-Indic digits pass isdigit() and int(): the number would be stored unlike its ASCII twin."""
    ascii_number = person_id(BORN, "男", 30)
    arabic = ascii_number[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + ascii_number[17]
    before = counts()
    resp = org_admin.post(MEMBERS, good_member(id_number=arabic), format="json")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    assert counts() == before


@pytest.mark.parametrize("params", [{"offset": 10**20}, {"limit": 10**20}, {"offset": 2**63}])
def test_huge_pagination_values_are_not_a_500(admin, world, params):
    resp = admin.get(MEMBERS, params)
    assert resp.status_code in (200, 400, 404), resp.status_code


def test_404_detail_is_translated_and_names_no_model(admin, world):
    """Not found reads the same whether the id is malformed, missing or out of scope."""
    missing = admin.get(f"{MEMBERS}999999/")
    malformed = admin.get(f"{MEMBERS}abc/")
    assert missing.status_code == malformed.status_code == 404
    assert chinese([missing.data["detail"]]), missing.data
    assert "Member" not in str(missing.data)
    assert missing.data == malformed.data


@pytest.mark.parametrize("url,body", [
    (MEMBERS, {"org_code": "C001\x00"}),
    (ORGS, {"code": "C009", "name": "第九党支部", "kind": "branch", "parent_code": "C\x00"}),
])
def test_nul_character_in_an_organization_code_is_a_400(admin, world, url, body):
    """PostgreSQL refuses text with NUL in a query; the API must answer 400 before asking it (SQLite never minds)."""
    payload = {**good_member(), **body} if url == MEMBERS else body
    before = counts()
    resp = admin.post(url, payload, format="json")
    assert resp.status_code == 400, resp.status_code
    assert set(body) & {"org_code", "parent_code"} <= set(resp.data)
    assert counts() == before


def test_huge_ids_are_404(admin, world):
    assert admin.get(f"{MEMBERS}{10**20}/").status_code == 404
    assert admin.get(f"{ORGS}{10**20}/").status_code == 404
    assert admin.get(MEMBERS, {"org": 10**20}).status_code == 400
