"""The pages a member or a branch officer uses, on a phone (390×844, issue 11): the menu stays folded until
its toggler is tapped, nothing scrolls sideways, tables read as cards, forms bring up the right keyboard.

Same set-up as test_browser.py: Debian's chromium driven by Playwright against pytest-django's live server."""
import os
import re
from datetime import date

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from conftest import PASSWORD, person_id  # noqa: E402


PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page):
    """The page is no wider than the screen; if it is, name the widest elements."""
    page.wait_for_load_state("load")
    wide = page.evaluate("""() => {
        const w = window.innerWidth;
        if (document.scrollingElement.scrollWidth <= w) return [];
        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
            .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
    }""")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), wide


def menu_folded_until_toggled(page, link: str | None = None):
    """The navbar shows the brand and the toggler; its entries appear on a tap and go on the next."""
    menu = page.locator("#main-menu")
    toggler = page.locator("nav .navbar-toggler")
    page.wait_for_load_state("load")  # Bootstrap (deferred) binds the toggler only once it has run
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(re.compile(r"\bcollapse show\b"))  # opened (Bootstrap ignores taps mid-animation)
    if link:
        expect(menu.get_by_role("link", name=link, exact=True)).to_be_visible()
    toggler.click()
    expect(menu).to_be_hidden()
    expect(menu).to_have_class(re.compile(r"\bcollapse\b(?!.*show)"))
    no_sideways_scroll(page)


def login(page, username):
    page.goto("/login/")
    menu_folded_until_toggled(page)
    no_sideways_scroll(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_login_on_a_phone(page, world):
    login(page, "officer_a")
    menu_folded_until_toggled(page, link="成员")
    no_sideways_scroll(page)


def test_a_member_reads_their_own_record_on_a_phone(page, world):
    from jiceng.members import services as members

    a1 = world.a_members[0]
    members.update_member(None, a1, employer="和平区新华书店一个很长很长的工作单位名称用来测试换行")
    login(page, "member_a1")
    page.goto(f"/members/{a1.pk}/")
    expect(page.get_by_role("heading", name=re.compile("甲1"), level=1)).to_be_visible()
    menu_folded_until_toggled(page)
    no_sideways_scroll(page)
    # the change log is a list of cards, each value under its column's name
    lines = page.locator("#category-history")
    expect(lines.locator("tbody tr").first.locator("td").nth(1)).to_have_attribute("data-label", "起")
    assert lines.locator("thead").evaluate("e => getComputedStyle(e).display") == "none"
    assert lines.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display") == "block"


def test_the_change_log_reads_as_cards_on_a_phone(page, world):
    from jiceng.members import services as members

    a1 = world.a_members[0]
    members.update_member(None, a1, employer="一个很长很长的工作单位名称" * 4)
    login(page, "officer_a")
    page.goto(f"/members/{a1.pk}/")
    no_sideways_scroll(page)
    changes = page.locator("h2", has_text="变更记录").locator("xpath=following-sibling::table[1]")
    expect(changes.locator("tbody tr").first.locator("td").nth(5)).to_have_attribute("data-label", "变更前")
    assert changes.locator("thead").evaluate("e => getComputedStyle(e).display") == "none"


def test_a_branch_officer_lists_applications_and_records_a_step_on_a_phone(page, world):
    from jiceng.admission import services

    app = services.start(world.admin, org=world.a, on=date(2022, 3, 1),
                         person={"name": "小张", "sex": "女", "birth_date": date(2000, 2, 3)})
    login(page, "officer_a")
    page.goto("/admission/")
    menu_folded_until_toggled(page)
    expect(page.get_by_role("link", name="小张")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("link", name="小张").click()
    expect(page.locator("#timeline tr[data-step='apply']")).to_have_count(1)
    no_sideways_scroll(page)
    page.goto(f"/admission/{app.pk}/record/talk/")
    no_sideways_scroll(page)
    menu_folded_until_toggled(page)
    on = page.locator("#id_on")
    expect(on).to_have_attribute("type", "date")
    on.fill("2022-03-10")
    page.locator("#id_record").fill("了解入党动机")
    # the people picker: type part of a name, the pool answers (eligible first, namesakes told apart), tap one
    picker = page.get_by_role("combobox", name=re.compile("谈话人"))
    picker.fill("甲1")
    option = page.get_by_role("option", name=re.compile(r"甲1（第一党支部 · 1985年生 · 正式党员 · 1201\*+[0-9]{3}[0-9X]）"))
    option.click()
    expect(page.locator("#id_talkers option:checked")).to_have_text([re.compile("^甲1（")])
    no_sideways_scroll(page)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#timeline tr[data-step='talk']")).to_have_count(1)
    no_sideways_scroll(page)


def test_the_member_form_on_a_phone_fills_birth_and_sex_from_the_id_number(page, world):
    """Defect 8: typing an ID number fills the birth date and sex (app.js); the phone keyboard is numeric."""
    login(page, "officer_a")
    page.goto(f"/members/add/?org={world.a.pk}")
    no_sideways_scroll(page)
    expect(page.get_by_label("手机号")).to_have_attribute("type", "tel")
    expect(page.get_by_label("出生日期")).to_have_attribute("type", "date")
    number = person_id(date(1991, 2, 3), "女", 333)
    page.get_by_label("身份证号").fill(number)
    expect(page.get_by_label("出生日期")).to_have_value("1991-02-03")
    expect(page.get_by_label("性别")).to_have_value("女")
    page.get_by_label("身份证号").fill(number[:-1] + ("0" if number[-1] != "0" else "1"))  # a wrong check digit
    expect(page.get_by_label("出生日期")).to_have_value("1991-02-03")  # left as it was, nothing invented
