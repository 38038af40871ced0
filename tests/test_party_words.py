"""Each party in its own words on the transfers, dues and six-month-rule pages (standard 10): a 九三学社 or 民进
user never reads 党费, 党员, 党支部 or 党籍 where their profile has 社费/会费, 社员/会员, 停止社籍/停止会籍 — in the
menus, the lists, the forms, the lazy panels of an organization page and the import form; a superuser, who
sees every party, reads each party's word. The change log names the records without a party's word (交纳记录,
停止日期)."""
import io
import re
from datetime import date, timedelta

import pytest
from django.test import Client

from jiceng.core.dates import today
from jiceng.core.services import SYSTEM
from jiceng.dues import services as dues
from jiceng.orgs import services as orgs
from jiceng.standing import services as standing
from jiceng.transfers import services as transfers

from conftest import add_member, make_user

pytestmark = pytest.mark.django_db

CCP_WORDS = ("党费", "党员", "党支部", "党籍", "党组织")


def visible(html: str) -> str:
    """The words of a page a reader may see: the tags, scripts and styles taken out (menus included)."""
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def party(profile, prefix, branch_kind, category, admin_name):
    """A committee → branch of one party, with four members (one away, one out of contact), dues bases and an
    officer at the committee."""
    city = orgs.create_org(None, code=prefix, name=f"{prefix}市委会", kind="committee", profile=profile,
                           founded_on=date(1990, 1, 1))
    branch = orgs.create_org(None, code=f"{prefix}001", name=f"{prefix}某{branch_kind}", kind="branch", parent=city,
                             founded_on=date(2000, 1, 1))
    other = orgs.create_org(None, code=f"{prefix}002", name=f"{prefix}另一{branch_kind}", kind="branch", parent=city,
                            founded_on=date(2000, 1, 1))
    people = [add_member(branch, f"{prefix}员{i}", category=category, n=200 + i + (50 if profile == "mjin" else 0))
              for i in range(4)]
    day = today()
    start = date(day.year - 1, day.month, 1)
    for p in people:
        dues.record_basis(SYSTEM, p, group="in_service", start=start)
    transfers.issue(SYSTEM, people[0], to_org=other, issued_on=day - timedelta(days=2), reason="工作调动")
    transfers.record_mobile(SYSTEM, people[1], place="广东省深圳市", left_on=day - timedelta(days=30))
    lost = standing.record_lost_contact(SYSTEM, people[2], since=day - timedelta(days=300))
    user = make_user(admin_name, "org_admin", city)
    return city, branch, people, lost, user


@pytest.fixture
def parties(db):
    jiusan = party("jiusan", "JS", "支社", "member", "jiusan_admin")
    mjin = party("mjin", "MJ", "支部", "member", "mjin_admin")
    return {"jiusan": jiusan, "mjin": mjin}


def pages(city, branch, people, lost):
    person = people[3]
    return [
        "/", city.get_absolute_url(), person.get_absolute_url(),
        "/transfers/", "/mobile/", f"/mobile/member/{person.pk}/add/", f"/transfers/member/{person.pk}/issue/",
        "/dues/", f"/dues/org/{city.pk}/", f"/dues/org/{city.pk}/closings/", f"/dues/member/{person.pk}/reduce/",
        "/standing/", f"/standing/org/{city.pk}/", f"/standing/org/{city.pk}/?list=six-months",
        f"/standing/org/{city.pk}/lost-contact/", f"/standing/lost-contact/{lost.pk}/suspend/",
        f"/members/{person.pk}/exit/", "/imports/?sheet=dues_payments",
        "/changes/",  # the change log names the dues, transfers and standing records it lists
        # the organization page's lazy panels, as htmx asks for them after the page
        f"/panels/org/dues/{city.pk}/", f"/panels/org/standing/{city.pk}/", f"/panels/org/transfers/{city.pk}/",
    ]


@pytest.mark.parametrize("key, own", [("jiusan", ("社费", "社员", "停止社籍")), ("mjin", ("会费", "会员", "停止会籍"))])
def test_a_democratic_party_user_reads_their_partys_words_not_the_ccps(parties, key, own):
    city, branch, people, lost, user = parties[key]
    client = Client()
    client.force_login(user)
    seen = ""
    for url in pages(city, branch, people, lost):
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible(response.content.decode())
        found = [w for w in CCP_WORDS if w in text]
        assert not found, (url, found, [text[max(0, text.index(w) - 30):text.index(w) + 30] for w in found])
        seen += text
    for word in own:
        assert word in seen, word
    dues_word = own[0]
    menu = visible(client.get("/").content.decode())
    assert f"{dues_word}收缴" in menu and f"组织生活与{dues_word}" in menu and f"流动{own[1]}" in menu


def test_the_import_form_offers_the_users_own_system_and_the_sheet_a_page_asked_for(parties):
    city, branch, people, lost, user = parties["jiusan"]
    client = Client()
    client.force_login(user)
    html = client.get("/imports/?sheet=dues_payments").content.decode()
    assert re.search(r'<option value="dues_payments" selected>社费交纳记录</option>', html), "the sheet asked for"
    profile_select = re.search(r'<select name="profile".*?</select>', html, flags=re.S).group(0)
    assert "九三学社" in profile_select and "中国共产党" not in profile_select and "民主促进会" not in profile_select
    assert "中国共产党" not in visible(html)


def test_a_superuser_reads_each_partys_word_on_the_standing_page_and_a_short_menu(parties, world):
    client = Client()
    client.force_login(world.admin)
    assert "组织生活与党费/社费/会费" in visible(client.get("/standing/").content.decode())
    menu = visible(client.get("/").content.decode())
    assert "党费收缴" in menu and "流动党员" in menu and "组织生活与党费" in menu  # room for one word in a menu
    # and a CCP officer reads the CCP's only
    client.force_login(world.org_admin)
    menu = visible(client.get("/").content.decode())
    assert "党费收缴" in menu and "流动党员" in menu and "社费" not in menu and "会费" not in menu


def test_downloads_are_named_in_the_partys_word(parties):
    """The payments sheet's blank template and the ledger's export are titled 会费/社费, not 党费."""
    from openpyxl import load_workbook

    for key, word in (("jiusan", "社费"), ("mjin", "会费")):
        city, branch, people, lost, user = parties[key]
        client = Client()
        client.force_login(user)
        blank = client.get("/imports/template/dues_payments/")
        book = load_workbook(io.BytesIO(b"".join(blank.streaming_content)))
        titles = [str(c.value) for ws in book.worksheets for row in ws.iter_rows(max_row=2) for c in row if c.value]
        assert any(f"{word}交纳记录导入模板" in t for t in titles) and not any("党费" in t for t in titles), titles
        export = client.get(f"/dues/org/{city.pk}/export/")
        assert export.status_code == 200
        assert f"{word}收缴表" in export["Content-Disposition"] or \
            f"{word}收缴表".encode().hex() in export["Content-Disposition"].lower().replace("%", ""), export["Content-Disposition"]


def test_an_inspector_finds_the_ledger_in_the_menu_and_a_member_does_not(world):
    client = Client()
    client.force_login(world.inspector)
    assert "/dues/" in client.get("/").content.decode()
    home = client.get("/dues/").content.decode()
    assert f"/dues/org/{world.root.pk}/" in home
    ledger = client.get(f"/dues/org/{world.root.pk}/").content.decode()
    assert "/pay/" not in ledger  # reads, records nothing
    client.force_login(world.member_user)
    assert 'href="/dues/"' not in client.get("/").content.decode()
