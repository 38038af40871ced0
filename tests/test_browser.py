"""End-to-end checks in a real browser: Playwright (sync API) drives Debian's chromium
against pytest-django's live server.

Chromium is never downloaded: JICENG_CHROMIUM (default /usr/bin/chromium) is launched.
One browser serves the whole module; every test gets a fresh context (no cookies) and
its own database contents (`world`, transactional because the live server runs in
another thread). No sleeps: Playwright's `expect` waits for what the page should show.
"""
import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the main thread; Django's
# async-unsafe guard would otherwise refuse the ORM calls the tests make there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

try:  # tests/ is a rootdir-style test directory (no __init__.py)
    from conftest import PASSWORD  # noqa: E402
except ImportError:  # pragma: no cover
    from tests.conftest import PASSWORD  # noqa: E402

LOCALE_DIR = Path(__file__).resolve().parent.parent / "jiceng" / "locale"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 (100 MB, several rounds) per user and per login dominates these tests' run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def open_menu(page, menu, item):
    """A page behind a navbar menu (组织 → 组织树): open the menu, follow its entry (once the page's
    scripts have run: a click before Bootstrap is there opens nothing)."""
    page.wait_for_load_state()
    page.locator("nav").get_by_role("button", name=menu, exact=True).click()
    page.locator("nav").get_by_role("link", name=item, exact=True).click()


def login(page, username):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("nav .navbar-text")).to_have_text(username)
    page.wait_for_load_state()  # the deferred scripts bind menus and self-submitting selects only once run


def changes_table(page):
    """The change log table under the 变更记录 heading of a member page."""
    return page.locator("h2", has_text="变更记录").locator("xpath=following-sibling::table[1]")


def test_org_admin_journey(page, world):
    """Login → tree (lazy htmx expand) → branch page → member list → member → edit → change log."""
    from jiceng.members import services as members

    a1 = world.a_members[0]
    members.update_member(None, a1, employer="原工作单位")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))  # anonymous users are sent to the login form
    page.get_by_label("用户名").fill("org_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("nav .navbar-text")).to_have_text("org_admin")

    # the tree: only the committee at first; its branches come from the server when opened
    open_menu(page, "组织", "组织树")
    expect(page.get_by_role("heading", name="组织树")).to_be_visible()
    tree = page.locator(".tree")
    expect(tree.get_by_role("link", name="测试党委")).to_be_visible()
    expect(tree.get_by_text("第一党支部")).to_have_count(0)
    toggle = tree.locator('[data-org="C"]')
    expect(toggle).to_have_text("▸")
    with page.expect_response(lambda r: r.url.endswith(f"/orgs/{world.root.pk}/children/")) as resp:
        toggle.click()
    assert resp.value.status == 200
    assert resp.value.request.headers.get("hx-request") == "true"  # fetched by htmx, not a page load
    expect(tree.get_by_role("link", name="第一党支部")).to_be_visible()
    expect(tree.get_by_role("link", name="第二党支部")).to_be_visible()
    expect(toggle).to_have_text("▾")
    # closing hides the branch list; reopening shows it again without another request ("click once")
    toggle.click()
    expect(tree.get_by_role("link", name="第一党支部")).to_be_hidden()
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/children/" in r.url else None)
    toggle.click()
    expect(tree.get_by_role("link", name="第一党支部")).to_be_visible()
    assert requests == []

    # the branch page and its member counts (本组织 / 含下级)
    tree.get_by_role("link", name="第一党支部").click()
    expect(page.get_by_role("heading", name="第一党支部", level=1)).to_be_visible()
    expect(page.locator("#category-counts tr", has_text="正式党员")).to_have_text(re.compile(r"正式党员\s*3\s*3"))
    expect(page.locator("#category-counts tr", has_text="预备党员")).to_have_text(re.compile(r"预备党员\s*0\s*0"))

    # its member list
    page.get_by_role("link", name="成员名单").click()
    rows = page.locator("#member-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.get_by_role("link", name=re.compile("^甲"))).to_have_count(3)

    # one member, edited through the form
    page.locator("#member-table").get_by_role("link", name="甲1").click()
    expect(page.get_by_role("heading", name=re.compile("甲1"), level=1)).to_be_visible()
    expect(page.locator("#employer")).to_have_text("原工作单位")
    page.get_by_role("link", name="修改信息").click()
    expect(page.get_by_role("heading", name=re.compile("修改成员信息"))).to_be_visible()
    employer = page.get_by_label("工作单位")
    expect(employer).to_have_value("原工作单位")
    employer.fill("和平区新华书店")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(rf"/members/{a1.pk}/$"))
    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.locator("#employer")).to_have_text("和平区新华书店")
    expect(page.get_by_role("heading", name="变更记录")).to_be_visible()
    update = changes_table(page).locator("tbody tr").filter(has_text="和平区新华书店")
    expect(update).to_have_count(1)
    cells = update.locator("td")
    expect(cells.nth(1)).to_have_text("org_admin")  # who
    expect(cells.nth(3)).to_have_text("修改")  # what
    expect(cells.nth(5)).to_contain_text("原工作单位")  # 变更前
    expect(cells.nth(6)).to_contain_text("和平区新华书店")  # 变更后

    a1.refresh_from_db()
    assert a1.employer == "和平区新华书店"


def test_pages_load_their_assets(page, world):
    """Every stylesheet and script a page links is served: the navbar has its colour, the tree
    its layout, the member-count pie chart is drawn (ECharts + charts.js)."""
    failed = set()
    page.on("response", lambda r: failed.add(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, "org_admin")
    page.goto(f"/orgs/{world.a.pk}/")
    expect(page.get_by_role("heading", name="第一党支部", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not failed, f"assets not served: {sorted(failed)}"
    expect(page.locator("nav.navbar")).to_have_css("background-color", "rgb(163, 29, 29)")  # .bg-jiceng
    expect(page.locator("nav").get_by_role("button", name="组织", exact=True)).to_be_visible()  # a menu
    expect(page.locator(".tree ul").first).to_have_css("list-style-type", "none")
    expect(page.locator("#category-chart canvas")).to_have_count(1)


def test_invalid_id_number_is_refused(page, world):
    a1 = world.a_members[0]
    number = a1.id_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    login(page, "org_admin")

    page.goto(f"/members/{a1.pk}/")
    expect(page.locator("#id-number")).to_have_text(number)  # org_admin sees whole numbers
    page.get_by_role("link", name="修改信息").click()
    field = page.get_by_label("身份证号")
    expect(field).to_have_value(number)
    field.fill(wrong)
    page.get_by_label("工作单位").fill("不应保存的单位")
    page.get_by_role("button", name="保存").click()

    # the form comes back with the error on the ID number field, in Chinese
    expect(page).to_have_url(re.compile(rf"/members/{a1.pk}/edit/$"))
    # marked invalid for assistive technology (Django) and visibly (Bootstrap's red border);
    # this error comes from the service layer (members.services.person_errors), not the form
    expect(page.get_by_label("身份证号")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("身份证号")).to_have_class(re.compile(r"\bis-invalid\b"))
    error = page.locator("#id_id_number ~ .invalid-feedback")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("身份证号")
    expect(error).to_contain_text("校验位")
    expect(page.get_by_label("身份证号")).to_have_value(wrong)  # what was typed is kept for correction
    expect(page.get_by_text("已保存")).to_have_count(0)

    # nothing changed
    page.goto(f"/members/{a1.pk}/")
    expect(page.locator("#id-number")).to_have_text(number)
    expect(page.locator("#employer")).to_have_text("—")
    expect(changes_table(page).locator("tbody tr").filter(has_text="不应保存的单位")).to_have_count(0)
    a1.refresh_from_db()
    assert (a1.id_number, a1.employer) == (number, "")


def test_branch_officer_sees_only_own_branch(page, world):
    login(page, "officer_a")
    other = world.b_members[0]
    response = page.goto(f"/members/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_text("乙1")).to_have_count(0)
    response = page.goto(f"/orgs/{world.b.pk}/")
    assert response.status == 404

    response = page.goto(f"/members/{other.pk}/edit/")
    assert response.status == 404

    page.goto("/")
    page.locator("nav").get_by_role("link", name="成员", exact=True).click()
    rows = page.locator("#member-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.locator("td:first-child")).to_have_text(["甲1", "甲2", "甲3"])
    expect(page.locator("#member-table").get_by_text(re.compile("乙"))).to_have_count(0)

    # their own members open normally, with a masked ID number (not an org_admin)
    own = world.a_members[1]
    response = page.goto(f"/members/{own.pk}/")
    assert response.status == 200
    expect(page.locator("#id-number")).to_have_text(re.compile(r"^\d{4}\*{10}\w{4}$"))


def test_inspector_reads_but_cannot_edit(page, world):
    """A read-only role sees the subtree's members, without edit buttons; edit URLs are 404."""
    login(page, "inspector")
    a1 = world.a_members[0]
    page.goto(f"/members/{a1.pk}/")
    expect(page.get_by_role("heading", name=re.compile("甲1"), level=1)).to_be_visible()
    expect(page.get_by_role("link", name="修改信息")).to_have_count(0)
    response = page.goto(f"/members/{a1.pk}/edit/")
    assert response.status == 404
    page.goto(f"/orgs/{world.a.pk}/")
    expect(page.get_by_role("link", name="成员名单")).to_be_visible()
    expect(page.get_by_role("link", name="新增成员")).to_have_count(0)


def test_switch_to_english(page, world):
    po = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        pytest.skip("no English catalog yet (jiceng/locale/en/LC_MESSAGES/django.po)")
    import polib
    from django.utils.translation import trans_real

    from jiceng.core import i18n

    if i18n.compile_catalogs():  # what `jiceng setup` does; then drop Django's cached catalogs
        trans_real._translations = {}
        trans_real._default = None
    english = {e.msgid: e.msgstr for e in polib.pofile(str(po)) if e.msgstr and not e.obsolete}
    nav = [english[w] for w in ("组织", "成员") if english.get(w)]
    if not nav:
        pytest.skip("the English catalog does not translate the navigation (组织, 成员) yet")

    login(page, "org_admin")
    expect(page.locator("nav #main-menu").get_by_text("组织", exact=True)).to_be_visible()
    page.get_by_label("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for word in nav:
        expect(page.locator("nav #main-menu").get_by_text(word, exact=True)).to_be_visible()
    expect(page.locator("nav #main-menu").get_by_text("组织", exact=True)).to_have_count(0)
    expect(page.get_by_label("language")).to_have_value("en")
    # the choice sticks across pages
    page.goto("/orgs/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_tree_search_by_code(page, world):
    login(page, "org_admin")
    open_menu(page, "组织", "组织树")
    page.get_by_placeholder("按名称或编码搜索").fill("C002")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"\?q=C002$"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name="第二党支部")).to_be_visible()
    expect(rows.first).to_contain_text("C002")
    expect(rows.first).to_contain_text("党支部")
    # a name fragment finds both branches; an unknown code finds nothing, said in Chinese
    page.get_by_placeholder("按名称或编码搜索").fill("支部")
    page.get_by_role("button", name="搜索").click()
    expect(rows.get_by_role("link")).to_have_text(["第一党支部", "第二党支部"])
    page.get_by_placeholder("按名称或编码搜索").fill("Z999")
    page.get_by_role("button", name="搜索").click()
    expect(rows).to_have_text(["没有找到匹配的组织"])


def test_import_wizard_lists_problems_then_imports_on_confirmation(page, world, settings, tmp_path):
    """Upload → every problem listed (nothing written) → fixed file → preview → confirm → imported."""
    from datetime import date

    from conftest import person_id
    from jiceng.members.models import Member

    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    header = "姓名,性别,出生日期,身份证号,所在组织编码,人员类别,入党日期,转正日期\n"
    good = f"浏览器导入,女,1984-05-06,{person_id(date(1984, 5, 6), '女', 300)},C001,正式党员,2010-01-01,2011-01-01\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + good + "坏行,男,1984-05-06,123,C002,正式党员,2010-01-01,2011-01-01\n", encoding="utf-8-sig")
    ok = tmp_path / "ok.csv"
    ok.write_text(header + good, encoding="utf-8-sig")
    login(page, "officer_a")
    page.get_by_role("link", name="导入").click()
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#problems")).to_contain_text("身份证号")
    expect(page.locator("#problems")).to_contain_text("所在组织编码")
    expect(page.get_by_text("未写入任何数据")).to_be_visible()
    assert not Member.objects.filter(name="浏览器导入").exists()
    page.get_by_role("link", name="批量导入").click()
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(str(ok))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#preview")).to_contain_text("浏览器导入")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#done")).to_contain_text("新建 1")
    assert Member.objects.get(name="浏览器导入").org == world.a


def test_an_applicant_walks_from_application_to_confirmation(page, world):
    """The org admin (every level) records the whole procedure through the forms; the dates respect its rules."""
    from jiceng.core import profiles

    a1, a2 = (str(m.pk) for m in world.a_members[:2])
    login(page, "org_admin")
    page.goto(f"/orgs/{world.a.pk}/")
    page.locator("#start-application").click()
    page.locator("#id_name").fill("王前进")
    page.locator("#id_sex").select_option("男")
    page.locator("#id_birth_date").fill("2000-05-04")
    page.locator("#id_on").fill("2021-03-01")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#timeline tr[data-step='apply']")).to_have_count(1)

    def record(step, on, **fields):
        page.locator(f"#next-steps [data-step='{step}'] a").click()
        page.locator("#id_on").fill(on)
        for name, value in fields.items():
            box = page.locator(f"#id_{name}")
            if box.evaluate("e => e.tagName") == "SELECT":
                box.select_option(value)
            else:
                box.fill(str(value))
        page.get_by_role("button", name="保存").click()
        expect(page.locator(f"#timeline tr[data-step='{step}']")).to_have_count(1)

    vote = {"vote__present": 3, "vote__yes": 3, "resolution": "同意"}
    record("talk", "2021-03-10", talkers=[a1], record="了解入党动机")
    record("activist_decided", "2021-03-20", recommended_by="党员推荐", decision="同意确定为入党积极分子")
    record("activist_filed", "2021-03-25")
    record("contacts", "2021-03-25", contacts=[a1, a2])
    record("target_decided", "2022-03-25", opinions="党员和群众普遍认可")
    record("target_filed", "2022-03-28")
    record("introducers", "2022-03-28", introducers=[a1, a2])
    record("political_review", "2022-04-10", conclusion="合格", report="政治审查合格")
    record("training", "2022-04-15", days=3)
    record("committee_review", "2022-05-05", conclusion="同意")
    record("notice", "2022-05-06", scope="支部公示栏")
    record("pre_review", "2022-05-20", conclusion="合格")
    record("form", "2022-05-25", form_no="2022-001")
    record("branch_vote", "2022-06-01", **vote)
    expect(page.locator("#timeline tr[data-step='branch_vote']")).to_contain_text("应到 3 人，实到 3 人")
    record("upper_talk", "2022-06-10", talkers=[a2], record="谈话情况良好")
    record("approval", "2022-06-20", conclusion="批准")
    expect(page.locator("#member-category")).to_have_text("预备党员")
    record("department_filed", "2022-06-25")
    record("assigned", "2022-07-01", group="第一党小组")
    record("oath", "2022-07-01")
    record("confirm_request", "2023-05-10")
    record("confirm_vote", "2023-06-01", **vote)
    record("confirm_approval", "2023-06-10", conclusion="批准转正")
    record("archived", "2023-06-20")

    expect(page.locator("#member-category")).to_have_text("正式党员")
    expect(page.locator("#app-status")).to_have_text("已完成")
    expect(page.locator("#next-steps")).to_contain_text("没有可办理的步骤")
    required = [s.key for s in profiles.get("ccp").admission.steps if not s.optional]
    recorded = page.locator("#timeline tbody tr").evaluate_all("rows => rows.map(r => r.dataset.step)")
    assert recorded == required  # every step, in the procedure's order, none refused
    assert page.locator("#timeline .warning").count() == 0


def test_the_main_pages_work_under_the_content_security_policy(page, world):
    """Scripts come from the site only (script-src 'self', no inline script or handler): the pages with
    scripts — tree toggle, charts, the admin, the API docs — run without one policy violation."""
    from datetime import date

    from jiceng.admission import services

    app = services.start(world.admin, org=world.a, on=date(2022, 3, 1),
                         person={"name": "小张", "sex": "女", "birth_date": date(2000, 2, 3)})
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    login(page, "admin")
    # the pages with scripts of their own (every page shares base.html's); tests/test_hardening.py reads
    # the markup of every page for inline scripts and handlers
    for url in ["/", f"/members/{world.a_members[0].pk}/", f"/admission/{app.pk}/", "/admission/pipeline/",
                "/admission/plans/", "/imports/", "/admin/", "/api/docs/", "/orgs/"]:
        response = page.goto(url, timeout=30000)  # Swagger UI's bundle is large
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self';" in policy, (url, policy)  # goto waited for "load": deferred scripts have run
        if url == "/api/docs/":  # Swagger UI, its settings script served as a file
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Jiceng API")
    toggle = page.locator('.tree [data-org="C"]')
    toggle.click()  # app.js, not an onclick attribute (the language switch: test_switch_to_english)
    expect(page.locator(".tree").get_by_role("link", name="第一党支部")).to_be_visible()
    page.goto(f"/orgs/{world.a.pk}/")
    expect(page.locator("#category-chart canvas")).to_have_count(1)  # ECharts draws under the policy
    assert violations == []
