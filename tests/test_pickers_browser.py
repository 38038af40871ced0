"""The post form's people picker in Chromium (issue 11): typing a name that several people share lists them
told apart, picking one appoints that one. Set-up as test_phone.py: Debian's chromium through Playwright."""
import os
import re
from datetime import date

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from conftest import PASSWORD, add_member  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_post_picker_finds_and_picks_a_namesake(page, world):
    from jiceng.orgs.models import PostHolding

    twins = [add_member(world.a, "李娜", born=date(1960 + i, 3, 3), sex="女", n=200 + i) for i in range(25)]
    wanted = twins[17]  # born 1977, beyond the first page of the answers
    page.goto("/login/")
    page.get_by_label("用户名").fill("officer_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"/orgs/{world.a.pk}/posts/add/")
    page.locator("#id_post").select_option("committee_member")
    box = page.get_by_role("combobox", name=re.compile("^搜索 成员"))
    box.fill("李娜")
    answers = page.locator("#id_member-search-results")
    expect(answers.get_by_role("option", name=re.compile("^李娜（"))).to_have_count(20)
    expect(answers.get_by_text("共 25 个结果，已显示 20 个")).to_be_visible()
    answers.get_by_role("option", name="显示更多").click()
    expect(answers.get_by_role("option", name=re.compile("^李娜（"))).to_have_count(25)
    expect(answers.get_by_text("共 25 个结果，已显示 25 个")).to_be_visible()
    answers.get_by_role("option", name=re.compile("李娜（第一党支部 · 1977年生")).click()
    expect(page.locator("#id_member option:checked")).to_have_text([re.compile("^李娜（第一党支部 · 1977年生")])
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{world.a.pk}/$"))
    assert PostHolding.objects.current().get(org=world.a, post="committee_member").member == wanted
