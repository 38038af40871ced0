#!/usr/bin/env python3
"""Take the README screenshot: log in to a running Jiceng and photograph one organization's page.

Starts nothing itself: point it at a server that is already up (e.g. `jiceng setup && jiceng serve`).

    .venv/bin/python scripts/screenshot.py                      # demo server, admin / jiceng-demo-2026, 和平区
    .venv/bin/python scripts/screenshot.py --url http://127.0.0.1:8011 --user heping_admin --password ... \\
        --org 和平区 --out docs/screenshot.png

The organization is found through the tree search (name or code): an exact name match wins,
otherwise the match with leaders and the most members. Playwright drives Debian's
chromium (JICENG_CHROMIUM, default /usr/bin/chromium); no browser is downloaded.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

# Let the pie chart finish drawing before the picture is taken: ECharts animates for about
# a second; switching the animation off re-renders the final state and fires "finished".
SETTLE_CHARTS = """() => Promise.all([...document.querySelectorAll('.chart')].map(el => new Promise(done => {
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  if (!chart) return done();
  const timer = setTimeout(done, 3000);
  chart.on('finished', () => { clearTimeout(timer); done(); });
  chart.setOption({animation: false});
})))"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of the running server")
    p.add_argument("--user", default="admin", help="login name (default: the demo's admin)")
    p.add_argument("--password", default="jiceng-demo-2026", help="password (default: the demo's)")
    p.add_argument("--org", default="和平区", help="organization to show: name (or part of it) or code")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png", help="PNG to write")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=800)
    p.add_argument("--locale", default="zh-CN", help="browser language (Accept-Language, date formats)")
    p.add_argument("--chromium", default=os.environ.get("JICENG_CHROMIUM", "/usr/bin/chromium"))
    p.add_argument("--timeout", type=float, default=15, help="seconds to wait for any one page")
    return p.parse_args(argv)


def pick_org(page, base: str, query: str, candidates: int = 10) -> str | None:
    """URL of the organization to show: an exact name match, else, of the first matches, the one
    with leaders and the most members (e.g. "和平区" matches a 民进 and a 中共 district body)."""
    page.goto(f"{base}/orgs/?{urlencode({'q': query})}")
    links = page.locator("table tbody tr td:first-child a")
    found = [(a.inner_text().strip(), a.get_attribute("href")) for a in links.all()[:candidates]]
    if not found:
        return None
    urls = [base + href if href.startswith("/") else href for _name, href in found]
    for (name, _href), url in zip(found, urls):
        if name == query:
            return url
    if len(urls) == 1:
        return urls[0]

    def score(url):
        page.goto(url)
        totals = page.locator("#category-counts td.fw-bold").all_inner_texts()
        members = sum(int(t) for t in totals if t.strip().isdigit())
        leaders = page.locator(".card").first.locator("table tr:has(a[href*='/members/'])").count()
        return (leaders > 0 and members > 0, members, leaders)

    return max(urls, key=score)  # max() keeps the first of equals: the tree order


def fail(message: str) -> int:
    print(f"screenshot: {message}", file=sys.stderr)
    return 1


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return fail("Playwright is not installed (pip install -e '.[test]')")
    if not Path(args.chromium).exists():
        return fail(f"no chromium at {args.chromium} (apt-get install chromium, or set JICENG_CHROMIUM)")
    base = args.url.rstrip("/")

    with sync_playwright() as p:
        # The browser's own language: LANG makes fontconfig pick the Simplified Chinese faces
        # (Noto Sans CJK SC) for Han characters and for the page's Latin text alike.
        lang = args.locale.replace("-", "_") + ".UTF-8"
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS + [f"--lang={args.locale}"],
                                    env={**os.environ, "LANG": lang, "LANGUAGE": args.locale.replace("-", "_")})
        try:
            context = browser.new_context(viewport={"width": args.width, "height": args.height},
                                          locale=args.locale, device_scale_factor=1)
            context.set_default_timeout(args.timeout * 1000)
            page = context.new_page()

            try:
                page.goto(f"{base}/login/")
            except PlaywrightError as exc:
                return fail(f"cannot reach {base}: {exc.message.splitlines()[0]}")
            page.fill("#id_username", args.user)
            page.fill("#id_password", args.password)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            if "/login/" in page.url:
                return fail(f"login as {args.user!r} failed (wrong password, or locked out after failures)")

            url = pick_org(page, base, args.org)
            if url is None:
                return fail(f"no organization matches {args.org!r} for {args.user!r}")
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.evaluate(SETTLE_CHARTS)

            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            title = page.locator("h1").first.inner_text().strip()
            print(f"{args.out}: {args.width}x{args.height}, {title} ({page.url})")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
