"""An organization administrator on a phone (390×844) opens the dashboard from the organization page: the charts
are drawn (ECharts canvases) with the document's totals, nothing scrolls sideways, and a click on the women's bar
of the age pyramid opens the member list with the same count. Debian's Chromium through Playwright, as
tests/test_stats_browser.py."""
import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the middle of the women's bar (series 1) of the first age band holding any, in page pixels
WOMENS_BAR = """() => {
  const el = document.querySelector('.chart[data-chart="chart-pyramid"]');
  const chart = JSON.parse(document.getElementById('chart-pyramid').textContent);
  const band = chart.series[1].data.findIndex(v => v > 0);
  const value = chart.series[1].data[band];
  const [x, y] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 1}, [value / 2, band]);
  const box = el.getBoundingClientRect();
  return {x: box.left + x, y: box.top + y, value: value};
}"""


def test_the_dashboard_draws_its_charts_and_opens_the_list_behind_a_bar(world, page):
    login(page, "org_admin")
    page.goto(f"/orgs/{world.root.pk}/")
    page.locator("#dashboard").click()
    expect(page.locator("#dash-charts .dash-members, .dash-members").first).to_have_text("6")  # three in each branch
    rendered = page.locator('.chart[data-rendered="1"]')
    expect(rendered.first).to_be_visible()
    assert rendered.count() >= 4
    for key in ("pyramid", "education", "trends"):
        chart = page.locator(f'.chart[data-chart="chart-{key}"]')
        expect(chart.locator("canvas")).to_have_count(1)
    expect(page.locator("#card-pyramid .dash-total")).to_have_text("6")
    expect(page.locator("#card-education .dash-total")).to_have_text("6")
    no_sideways_scroll(page)
    page.locator("#card-pyramid").scroll_into_view_if_needed()
    bar = page.evaluate(WOMENS_BAR)
    assert bar["value"] == 3  # the three women of branch B, all of an age
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url("**/members/**")
    expect(page.locator("#member-count")).to_have_text("3")
    expect(page.locator("#member-table")).to_contain_text("乙1")


def test_the_list_link_of_a_chart_and_the_home_page(world, page):
    login(page, "org_admin")
    page.goto("/")
    expect(page.locator("#home-dashboard .dash-members")).to_have_text("6")
    expect(page.locator('#home-dashboard .chart[data-rendered="1"]').first).to_be_visible()
    no_sideways_scroll(page)
    page.locator("#home-dashboard-link").click()
    page.locator("#card-pyramid summary").click()
    link = page.locator("#card-pyramid a.dash-link").first
    count = link.get_attribute("data-count")
    link.click()
    expect(page.locator("#member-count")).to_have_text(count)


def test_the_dashboard_prints_on_a4_without_the_navigation(world, page):
    login(page, "org_admin")
    page.set_viewport_size({"width": 718, "height": 1040})  # A4 less 12 mm margins, at 96 dpi
    page.goto(f"/stats/dashboard/?org={world.root.pk}")
    expect(page.locator('.chart[data-rendered="1"]').first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    widths = page.evaluate("() => [...document.querySelectorAll('.dash-card')].map(e => e.getBoundingClientRect().right)")
    assert widths and max(widths) <= 718 + 1
    no_sideways_scroll(page)
