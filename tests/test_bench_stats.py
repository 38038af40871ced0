"""`jiceng bench stats` at a tiny scale, on SQLite and on PostgreSQL. Not timing tests: what can fail is the build
(the tree and people written straight into the tables: executemany on SQLite, COPY on PostgreSQL; the dated lines
set-based), or the app's counts differing from the hand-written ones (exit status 2) — the roll-up against the
people table, the statistics document against a plain GROUP BY over the dated lines."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jiceng.bench.common import Database, pg_admin

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("JICENG_DATABASE_URL", "")
TINY = ("--orgs", "200", "--members", "1500", "--samples", "1", "--doc-samples", "1", "--load-seconds", "1",
        "--clients", "2", "--writes", "4", "--no-write")


def run_stats(tmp_path, db: str, *args, server: str | None = None):
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if server:
        env["JICENG_DATABASE_URL"] = server
    else:
        env.pop("JICENG_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "jiceng.bench.stats", *TINY, "--db", db, *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def agreed(done) -> None:
    assert "COUNTS DIFFER" not in done.stdout, done.stdout
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a target missed (nothing to say at this size)
    assert "counts agree: roll-up = people table; document = plain GROUP BY" in done.stdout, done.stdout + done.stderr


def test_tiny_stats_bench_on_sqlite_counts_agree_and_a_rerun_reuses_the_database(tmp_path):
    done = run_stats(tmp_path, str(tmp_path / "stats.sqlite3"), "--keep")
    agreed(done)
    assert "building" in done.stdout and "dated lines:" in done.stdout and "indexes:" in done.stdout
    # the tables were filled without their secondary indexes: every one is back (the standing lists' covering
    # index among them), and a rollback of the build would have left none half-made
    with sqlite3.connect(tmp_path / "stats.sqlite3") as built:
        indexed = {t for t, in built.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        names = {n for n, in built.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"orgs_orgline", "members_member", "members_belongingline", "members_categoryline",
            "members_attributeline"} <= indexed and "member_standing" in names
    again = run_stats(tmp_path, str(tmp_path / "stats.sqlite3"), "--keep")
    agreed(again)
    assert "reusing" in again.stdout


@pytest.mark.skipif(not SERVER.startswith(("postgres://", "postgresql://")),
                    reason="no PostgreSQL server (JICENG_DATABASE_URL=postgresql://…, as `make test` sets)")
def test_tiny_stats_bench_on_postgresql_counts_agree_and_a_rerun_reuses_the_database(tmp_path):
    name = f"jiceng_bench_test_{os.getpid()}"
    try:
        done = run_stats(tmp_path, f"postgresql:{name}", "--keep", server=SERVER)
        agreed(done)
        assert f"building PostgreSQL database {name}" in done.stdout
        again = run_stats(tmp_path, f"postgresql:{name}", "--keep", server=SERVER)
        agreed(again)
        assert f"reusing PostgreSQL database {name}" in again.stdout
    finally:
        pg_admin(SERVER, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_the_database_is_a_file_or_a_postgresql_database_on_the_configured_server(tmp_path, monkeypatch):
    file = Database(str(tmp_path / "b.sqlite3"), "stats", tmp_path / "default.sqlite3")
    assert not file.postgresql and file.url == f"sqlite:///{tmp_path / 'b.sqlite3'}"
    assert Database(None, "stats", tmp_path / "d.sqlite3").url == f"sqlite:///{tmp_path / 'd.sqlite3'}"
    monkeypatch.setenv("JICENG_DATABASE_URL", "postgresql://u@127.0.0.1:5999/postgres")
    assert Database("postgresql", "stats", tmp_path).url == "postgresql://u@127.0.0.1:5999/jiceng_bench_stats"
    assert Database("postgresql:big_one", "stats", tmp_path).url == "postgresql://u@127.0.0.1:5999/big_one"
    with pytest.raises(SystemExit):
        Database("postgresql:bad;name", "stats", tmp_path)
    monkeypatch.setenv("JICENG_DATABASE_URL", "")
    with pytest.raises(SystemExit):  # no server to build on: said, not guessed
        Database("postgresql", "stats", tmp_path)
