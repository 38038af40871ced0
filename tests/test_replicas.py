"""Reads from a real PostgreSQL streaming replica (scripts/postgres.sh replica: a hot standby of the test
server): a page that writes nothing is served by the replica; a write, and the same browser's reads right
after it, go to the primary, so a person sees their own change at once."""
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from jiceng.orgs import services as orgs

from conftest import make_user

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.django_db(transaction=True),  # committed: the replica streams what the primary commits
    pytest.mark.skipif(not os.environ.get("JICENG_DATABASE_URL", "").startswith("postgres"),
                       reason="a streaming replica needs PostgreSQL: the test command's PostgreSQL run has one"),
]

# runs in a process of its own, configured as production is: the primary and one replica from the environment
SCRIPT = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

org_id, username, new_name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
used = {"default": 0, "replica1": 0}
for alias in used:
    connections[alias].execute_wrappers.append(
        lambda execute, sql, params, many, context, alias=alias: used.__setitem__(alias, used[alias] + 1)
        or execute(sql, params, many, context))

def visit(client, method, url, data=None):
    for alias in used:
        used[alias] = 0
    r = client.get(url) if method == "get" else client.post(url, data)
    return {"status": r.status_code, "used": dict(used), "text": r.content.decode() if method == "get" else "",
            "in_recovery": connections["replica1"].cursor().execute("select pg_is_in_recovery()").fetchone()[0]}

browser = Client()
browser.force_login(get_user_model().objects.get(username=username))
out = {"read": visit(browser, "get", f"/orgs/{org_id}/")}
out["write"] = visit(browser, "post", f"/orgs/{org_id}/edit/",
                     {"code": "R", "name": new_name, "kind": "committee", "sector": "", "on": "2024-01-01", "note": ""})
out["read_after_write"] = visit(browser, "get", f"/orgs/{org_id}/")
print(json.dumps(out))
"""


def _postgres_sh(*args) -> str:
    return subprocess.run([str(ROOT / "scripts/postgres.sh"), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _replica_url() -> str:
    _postgres_sh("replica")
    return _postgres_sh("replica-url")


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def test_a_page_that_writes_nothing_reads_the_replica_and_a_writer_reads_the_primary(tmp_path):
    replica = _with_db(_replica_url(), connection.settings_dict["NAME"])
    root = orgs.create_org(None, code="R", name="复制测试党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    make_user("replica_admin", "org_admin", root)
    deadline = time.monotonic() + 30
    with psycopg.connect(replica, autocommit=True) as standby:  # wait until the replica has replayed the commit
        while not standby.execute("select count(*) from orgs_org where code = 'R'").fetchone()[0]:
            assert time.monotonic() < deadline, "the replica did not replay the primary's commit within 30 s"
            time.sleep(0.2)

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiceng.settings", "JICENG_DATA_DIR": str(tmp_path),
           "JICENG_ALLOWED_HOSTS": "testserver",
           "JICENG_DATABASE_URL": _with_db(os.environ["JICENG_DATABASE_URL"], connection.settings_dict["NAME"]),
           "JICENG_REPLICA_URLS": replica}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(root.pk), "replica_admin", "复制测试党委（更名）"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    read = out["read"]
    assert read["status"] == 200 and "复制测试党委" in read["text"] and read["in_recovery"]
    assert read["used"]["replica1"] > 0 and read["used"]["default"] == 0  # the whole page from the standby
    write = out["write"]
    assert write["status"] == 302 and write["used"]["default"] > 0 and write["used"]["replica1"] == 0
    after = out["read_after_write"]  # the same browser, at once: the primary, so the new name shows
    assert after["used"]["replica1"] == 0 and "复制测试党委（更名）" in after["text"]
