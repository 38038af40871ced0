"""`jiceng bench orglife` at a tiny scale: it builds, times, and the app's compliance counts equal the
hand-written GROUP BY's in every (organization, type, period). Not a timing test: the targets are far off
at this size; what can fail is the agreement of the counts (exit status 2) or the build itself."""
import os
import re
import subprocess
import sys
from pathlib import Path

from jiceng.bench.orglife import app_counts, compare, period_number

ROOT = Path(__file__).resolve().parents[1]


def test_tiny_bench_counts_agree(tmp_path):
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data")}
    env.pop("JICENG_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "jiceng.bench.orglife", "--orgs", "300", "--meetings", "5000", "--samples", "3",
         "--no-write", "--db", str(tmp_path / "orglife.sqlite3")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert "COUNTS DIFFER" not in out, out
    assert done.returncode == 0, out + done.stderr
    agree = re.search(r"counts agree: ([\d,]+) groups, ([\d,]+) meetings, app = raw", out)
    assert agree, out
    groups, meetings = (int(g.replace(",", "")) for g in agree.groups())
    held = int(re.search(r"organizations, ([\d,]+) meetings in \d{4}", out).group(1).replace(",", ""))
    assert groups > 0 and 4000 <= held <= 6000  # about the meetings asked for, all of them compared
    assert meetings == held
    assert "(a) app" in out and "(b) raw" in out and "(c) city subtree page" in out
    assert not (ROOT / "BENCHMARKS.md").exists() or "--orgs 300 " not in (ROOT / "BENCHMARKS.md").read_text()


def _doc(meetings, not_counted=()):
    period = {"period": "2025-03", "status": "met", "meetings": list(meetings)}
    if not_counted:
        period["not_counted"] = list(not_counted)
    return {"organizations": [{"id": 7, "obligations": [{"key": "themed_day", "periods": [period]}]}]}


def test_compare_sees_a_difference():
    assert period_number("2025-03") == 3 and period_number("2025-Q2") == 2 and period_number("2025") == 0
    assert app_counts(_doc([1, 2], [3])) == {(7, "themed_day", 3): (3, 2)}
    assert compare(_doc([1, 2], [3]), [(7, "themed_day", 3, 3, 2)]) == ([], 1, 3)
    diffs, _, _ = compare(_doc([1, 2]), [(7, "themed_day", 3, 3, 2)])
    assert diffs  # a meeting the app lost
    diffs, _, _ = compare(_doc([1, 2]), [(7, "themed_day", 3, 2, 2), (7, "themed_day", 4, 1, 1)])
    assert diffs  # a period the app did not see
    # a type the organization owes nothing for is left out of the comparison
    assert compare(_doc([1]), [(7, "themed_day", 3, 1, 1), (7, "lecture", 1, 5, 5)]) == ([], 1, 1)
