"""`jiceng bench standing` and `jiceng bench dues` at a tiny scale, and what the province benchmarks share
(jiceng/bench/common.py). Not timing tests: what can fail is the build, or the app's list (totals) differing from
the hand-written query's (exit status 2) — a benchmark comparing different work would be worthless."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jiceng.bench.common import write_section

ROOT = Path(__file__).resolve().parents[1]


def run_bench(name: str, tmp_path, *args):
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data")}
    env.pop("JICENG_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", f"jiceng.bench.{name}", "--orgs", "200", "--samples", "1", "--no-write",
                           "--db", str(tmp_path / f"{name}.sqlite3"), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_tiny_standing_bench_lists_agree_and_a_rerun_reuses_the_database(tmp_path):
    done = run_bench("standing", tmp_path, "--members", "600", "--keep")
    assert "LISTS DIFFER" not in done.stdout, done.stdout
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a target missed (not at this size)
    assert "lists agree:" in done.stdout and "(d) app: the six-month list" in done.stdout
    again = run_bench("standing", tmp_path, "--members", "600", "--keep")
    assert "reusing" in again.stdout and "lists agree:" in again.stdout, again.stdout + again.stderr


def test_tiny_dues_bench_totals_agree(tmp_path):
    done = run_bench("dues", tmp_path, "--members", "600")
    assert "TOTALS DIFFER" not in done.stdout, done.stdout
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "totals agree: app = raw" in done.stdout and "roll-ups rebuilt" in done.stdout


def test_a_section_replaces_only_its_own(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## A (jiceng bench a)\n\nold a\n\n## B (jiceng bench b)\n\nold b\n", encoding="utf-8")
    write_section(path, "## B (jiceng bench b)\n\nnew b\n")
    write_section(path, "## C (jiceng bench c)\n\nnew c\n")
    text = path.read_text(encoding="utf-8")
    assert "old a" in text and "old b" not in text and "new b" in text and text.rstrip().endswith("new c")
    assert text.index("## A") < text.index("## B") < text.index("## C")
    with pytest.raises(ValueError):
        write_section(path, "no heading")
