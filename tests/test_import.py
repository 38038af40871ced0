"""Bulk import: every problem in one pass, all or nothing, idempotent, scoped, logged as one batch."""
import csv
import io
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.exports import export
from jiceng.core.imports import run_import
from jiceng.core.models import ChangeBatch, ChangeRecord, ExportRecord
from jiceng.members.imports import MemberImporter
from jiceng.members.models import Member
from jiceng.orgs.imports import OrgImporter
from jiceng.orgs.models import Org

from conftest import person_id

pytestmark = pytest.mark.django_db

MEMBER_HEADER = ["姓名", "性别", "出生日期", "身份证号", "学历", "所在组织编码", "人员类别", "申请日期", "入党(会/社)日期", "转正日期"]


def write_csv(path: Path, header, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def member_row(name, born, sex, n, org="C001", category="正式党员", **extra):
    return [name, sex, born.strftime("%Y/%m/%d"), person_id(born, sex, n), extra.get("education", "大学本科"), org, category,
            "2010年3月1日", "2011.6.1", "2012-06-01"]


def last_line(completed):
    return completed.stdout.strip().splitlines()[-1].split()


def counts():
    return Member.objects.count(), ChangeRecord.objects.count(), Org.objects.count()


def test_new_members_are_created_with_history_under_one_batch(world, tmp_path):
    path = write_csv(tmp_path / "new.csv", MEMBER_HEADER, [
        member_row("丙一", date(1980, 1, 2), "男", 101), member_row("丙二", date(1982, 3, 4), "女", 102)])
    result = run_import(MemberImporter(world.org_admin), path, "new.csv", world.org_admin)
    assert result.ok and result.counts == {"created": 2, "updated": 0, "unchanged": 0}
    m = Member.objects.get(name="丙一")
    assert list(m.category_lines.values_list("category", "start")) == [
        ("applicant", date(2010, 3, 1)), ("probationary", date(2011, 6, 1)), ("full", date(2012, 6, 1))]
    batch = ChangeBatch.objects.get(pk=result.batch_id)
    assert batch.details["file"] == "new.csv" and len(batch.details["sha256"]) == 64 and batch.details["created"] == 2
    assert ChangeRecord.objects.filter(batch=batch, object_id=m.pk).exists()
    assert batch.user == world.org_admin


def test_a_bulk_imported_member_is_logged_as_a_single_save_would_log_it(world, tmp_path):
    """The bulk writer and LoggedModel.save() build their records through one function (core.models.ChangeRows):
    the same columns filled, the same keys in `after` in the same order, each value in the same JSON form; the
    import adds the member's history (categories, belonging_since), which a save of the row alone has not."""
    path = write_csv(tmp_path / "one.csv", MEMBER_HEADER, [member_row("丙三", date(1981, 5, 6), "男", 103)])
    assert run_import(MemberImporter(world.org_admin), path, "one.csv", world.org_admin).ok
    imported = Member.objects.get(name="丙三")
    twin = Member(**{f.attname: getattr(imported, f.attname) for f in Member._meta.concrete_fields if not f.primary_key})
    twin.id_number_index, twin.id_number_cipher = "twin", ""
    twin.save()  # a single ORM save of the same row (another id, no ID number)
    bulk, single = (ChangeRecord.objects.for_object(m).get(action="create") for m in (imported, twin))

    def shape(record):
        return {f.attname: type(getattr(record, f.attname)) for f in ChangeRecord._meta.concrete_fields
                if f.attname not in ("id", "batch_id", "request_id", "user_id", "channel")}

    assert shape(bulk) == shape(single)
    assert (bulk.content_type_id, bulk.object_repr, bulk.org_path) == (single.content_type_id, str(twin), twin.org_path)
    history = ["categories", "belonging_since"]
    # the same keys (PostgreSQL's jsonb keeps no key order, so compared as sets), the history besides
    assert set(bulk.after) == set(single.after) | set(history) and bulk.before is single.before is None
    differ = {"id", "id_number_index"}
    assert {k: v for k, v in bulk.after.items() if k not in differ and k not in history} == \
        {k: v for k, v in single.after.items() if k not in differ}
    assert "id_number_cipher" not in bulk.after


def test_every_problem_is_reported_in_one_pass_and_nothing_is_written(world, tmp_path):
    good = member_row("好人", date(1980, 1, 2), "男", 103)
    bad_id = member_row("错号", date(1980, 1, 2), "男", 104)
    bad_id[3] = bad_id[3][:-1] + ("0" if bad_id[3][-1] != "0" else "1")
    young = member_row("少年", date(2015, 1, 1), "男", 105)
    unknown_org = member_row("外人", date(1980, 1, 2), "男", 106, org="NOPE")
    unknown_cat = member_row("无类", date(1980, 1, 2), "男", 107, category="会员")
    duplicate = list(good)
    path = write_csv(tmp_path / "bad.csv", MEMBER_HEADER, [good, bad_id, young, unknown_org, unknown_cat, duplicate])
    before = counts()
    result = run_import(MemberImporter(world.org_admin), path, "bad.csv", world.org_admin)
    assert not result.ok and counts() == before
    found = {(p.row, p.column) for p in result.problems}
    assert {(3, "身份证号"), (5, "所在组织编码"), (6, "人员类别"), (7, "身份证号")} <= found
    assert any(p.row == 4 and "不满" in p.reason for p in result.problems)
    assert all(p.reason for p in result.problems)


def test_reimporting_an_export_changes_nothing_and_an_edit_updates_in_place(world, tmp_path):
    out = tmp_path / "export.csv"
    with open(out, "wb") as f:
        rows = export("members", world.org_admin, {}, f, "csv")
    assert rows == 6 and ExportRecord.objects.get().rows == 6
    before = counts()
    result = run_import(MemberImporter(world.org_admin), out, "export.csv", world.org_admin)
    assert result.ok and result.counts["unchanged"] == 6 and counts()[:1] == before[:1]
    assert ChangeRecord.objects.filter(batch_id=result.batch_id).count() == 0
    text = out.read_text(encoding="utf-8-sig").replace("乙1,", "乙1,", 1)
    lines = text.splitlines()
    header = next(csv.reader([lines[0]]))
    body = [next(csv.reader([l])) for l in lines[1:]]
    for row in body:
        if row[header.index("姓名")] == "乙1":
            row[header.index("工作单位")] = "新单位"
    write_csv(out, header, body)
    result = run_import(MemberImporter(world.org_admin), out, "export.csv", world.org_admin)
    assert result.counts == {"created": 0, "updated": 1, "unchanged": 5}
    assert Member.objects.get(name="乙1").employer == "新单位" and Member.objects.count() == before[0]


def test_an_officer_cannot_import_into_another_branch(world, tmp_path):
    path = write_csv(tmp_path / "b.csv", MEMBER_HEADER, [member_row("越权", date(1980, 1, 2), "男", 108, org="C002")])
    result = run_import(MemberImporter(world.officer_a), path, "b.csv", world.officer_a)
    assert not result.ok and result.problems[0].column == "所在组织编码" and not Member.objects.filter(name="越权").exists()


def test_export_masks_id_numbers_for_roles_that_may_not_see_them(world):
    buf = io.BytesIO()
    export("members", world.officer_a, {}, buf, "csv")
    text = buf.getvalue().decode("utf-8-sig")
    assert "甲1" in text and "乙1" not in text and "**********" in text
    assert ExportRecord.objects.get().id_numbers_shown is False


ORG_HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类型", "成立日期"]


def test_orgs_children_before_parents_cycles_and_kinds(world, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER, [
        ["C003G", "第三支部一组", "C003", "党小组", "2020-02-01"],
        ["C003", "第三党支部", "C", "党支部", "2020-01-01"],
    ])
    result = run_import(OrgImporter(world.org_admin), path, "orgs.csv", world.org_admin)
    assert result.ok and result.counts["created"] == 2
    assert Org.objects.get(code="C003G").parent.code == "C003"
    assert run_import(OrgImporter(world.org_admin), path, "orgs.csv", world.org_admin).counts["unchanged"] == 2
    bad = write_csv(tmp_path / "bad.csv", ORG_HEADER, [
        ["X1", "甲", "X2", "党支部", ""], ["X2", "乙", "X1", "党支部", ""],
        ["X3", "支部下的党委", "C001", "党委", ""],
    ])
    before = counts()
    result = run_import(OrgImporter(world.org_admin), bad, "bad.csv", world.org_admin)
    assert not result.ok and counts() == before
    reasons = " ".join(p.reason for p in result.problems)
    assert "循环" in reasons and "不能设在" in reasons


def test_orgs_in_bulk_are_what_the_form_would_have_made(world, tmp_path):
    """The bulk writer leaves the rows, founding lines and change records create_org leaves, for a tree given
    children first and chained far deeper than Python's recursion limit would allow a recursive sort."""
    from jiceng.core.paths import MAX_DEPTH, segment
    from jiceng.orgs import services
    from jiceng.orgs.models import OrgLine

    by_form = services.create_org(None, code="F1", name="表单支部", kind="branch", parent=world.root, sector="机关",
                                  founded_on=date(2005, 5, 5))
    chain = [[f"K{i}", f"第{i}级党委", f"K{i - 1}" if i else "C", "党委", "2003-01-01"] for i in range(MAX_DEPTH - 1)]
    rows = [["B1", "导入支部", "C", "党支部", "2005-05-05"], *reversed(chain)]
    result = run_import(OrgImporter(world.org_admin), write_csv(tmp_path / "o.csv", ORG_HEADER, rows), "o.csv",
                        world.org_admin)
    assert result.ok and result.counts["created"] == len(rows)
    made = Org.objects.get(code="B1")
    for org in Org.objects.filter(code__startswith="K").select_related("parent"):
        assert org.path == org.parent.path + segment(org.pk) and org.depth == org.parent.depth + 1
    assert Org.objects.get(code=f"K{MAX_DEPTH - 2}").depth == MAX_DEPTH - 1
    line = OrgLine.objects.get(org=made)
    assert (line.start, line.reason, line.path, line.parent_id) == (date(2005, 5, 5), "founded", made.path, world.root.pk)
    for org in (by_form, made):
        records = {r.content_type.model: r for r in ChangeRecord.objects.filter(
            object_id__in=[org.pk, org.lines.get().pk], action="create")
            if (r.content_type.model, r.object_id) in {("org", org.pk), ("orgline", org.lines.get().pk)}}
        assert set(records) == {"org", "orgline"} and records["org"].org_path == org.path
    form_keys = {m: set(ChangeRecord.objects.filter(content_type__model=m, object_id=pk).first().after)
                 for m, pk in (("org", by_form.pk), ("orgline", by_form.lines.get().pk))}
    assert form_keys == {m: set(ChangeRecord.objects.filter(content_type__model=m, object_id=pk).first().after)
                         for m, pk in (("org", made.pk), ("orgline", made.lines.get().pk))}
    assert ChangeRecord.objects.filter(batch_id=result.batch_id).count() == 2 * len(rows)
    # the deepest level a path holds is allowed, one more is refused by the rules (row and column named)
    # and nothing is written
    too_deep = [[f"K{MAX_DEPTH - 1}", "过深党委", f"K{MAX_DEPTH - 2}", "党委", ""], [f"K{MAX_DEPTH}", "更深", f"K{MAX_DEPTH - 1}", "党委", ""]]
    before = counts()
    result = run_import(OrgImporter(world.org_admin), write_csv(tmp_path / "d.csv", ORG_HEADER, too_deep), "d.csv",
                        world.org_admin)
    assert not result.ok and counts() == before
    [p] = result.problems
    assert (p.row, p.column) == (3, "上级组织编码") and "层级" in p.reason


def test_orgs_moved_and_renamed_by_a_file_keep_their_subtree_paths(world, tmp_path):
    rows = [["N1", "新党委", "C", "党委", "2002-01-01"], ["C002", "第二党支部-更名", "N1", "党支部", "2001-01-01"],
            ["N2", "新党小组", "C002", "党小组", "2003-01-01"]]
    result = run_import(OrgImporter(world.org_admin), write_csv(tmp_path / "m.csv", ORG_HEADER, rows), "m.csv",
                        world.org_admin)
    assert result.ok and result.counts == {"created": 2, "updated": 1, "unchanged": 0}
    n1, b, n2 = (Org.objects.get(code=c) for c in ("N1", "C002", "N2"))
    assert b.parent == n1 and b.name == "第二党支部-更名" and n2.parent == b and n2.path.startswith(b.path)
    assert all(m.org_path == b.path for m in Member.objects.filter(org=b))


def test_a_killed_import_leaves_the_database_as_before_and_can_run_again(tmp_path):
    """A real process, killed with SIGKILL while it writes: SQLite rolls the transaction back."""
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data"), "JICENG_DATABASE_URL": "", "PYTHONUNBUFFERED": "1"}
    jiceng = [sys.executable, "-m", "jiceng"]

    def run(*args, **kw):
        return subprocess.run([*jiceng, *args], env=env, capture_output=True, text=True, timeout=300, **kw)

    assert run("migrate", "-v0").returncode == 0
    script = ("from django.contrib.auth.models import User; from jiceng.orgs import services as s; from datetime import date;"
              "User.objects.create_superuser('root', 'r@x.cn', 'x-123456789');"
              "s.create_org(None, code='R', name='根', kind='committee', profile='ccp', founded_on=date(2000,1,1));"
              "s.create_org(None, code='R1', name='一支部', kind='branch', parent=s.Org.objects.get(code='R'), founded_on=date(2000,1,1))")
    assert run("shell", "-c", script).returncode == 0
    rows = [member_row(f"人{i}", date(1950, 1, 1) + timedelta(days=i % 15000), "男", i // 15000 + 1, org="R1")
            for i in range(30000)]  # (birth date, sequence) unique: unique ID numbers
    big = write_csv(tmp_path / "big.csv", MEMBER_HEADER, rows)
    # The import itself, its writer made to pause once its first chunk is in the (open) transaction:
    # the write is too quick now to be caught midway by timing alone.
    midway = ("import time; from django.core.management import call_command; from jiceng.members.imports import MemberImporter as M;"
              "w = M.write; M.write = lambda self, plans, counts: (w(self, plans, counts), print('WRITTEN', flush=True), time.sleep(120));"
              f"call_command('import', 'members', {str(big)!r}, '--as', 'root')")
    proc = subprocess.Popen([*jiceng, "shell", "-c", midway], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # wait until a chunk is written inside the transaction, then pull the plug
        if line.startswith("WRITTEN"):
            break
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the import finished before it could be killed"
    _wait_until_no_process_names(str(big))  # the pipelined import's check process goes with it
    count = "from jiceng.members.models import Member; from jiceng.core.models import ChangeBatch; print(Member.objects.count(), ChangeBatch.objects.count())"
    assert last_line(run("shell", "-c", count)) == ["0", "0"]
    again = run("import", "members", str(big), "--as", "root")
    assert again.returncode == 0, again.stdout + again.stderr
    assert last_line(run("shell", "-c", count)) == ["30000", "1"]


def _wait_until_no_process_names(text: str, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while True:
        left = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if text in cmdline.read_bytes().decode(errors="replace"):
                    left.append(cmdline.parent.name)
            except OSError:
                pass
        if not left:
            return
        assert time.monotonic() < deadline, f"processes left behind: {left}"
        time.sleep(0.2)


cells = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
    ["男", "女", "正式党员", "预备党员", "会员", "C001", "C002", "NOPE", "2010-01-01", "2010年13月1日", "20100101",
     "４０１", "（）", "=1+1", "  ", "1.5e17", "11010519491231002X"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=len(MEMBER_HEADER), max_size=len(MEMBER_HEADER)), max_size=6))
def test_the_importer_never_crashes_it_imports_or_reports(world, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("h") / "h.csv"
    write_csv(path, MEMBER_HEADER, [["" if c is None else c for c in r] for r in rows])
    before = counts()
    result = run_import(MemberImporter(world.org_admin), path, "h.csv", world.org_admin, dry_run=True)
    assert result.ok or result.problems
    assert all(p.reason and (p.row is None or p.row >= 2) for p in result.problems)
    assert counts() == before  # a dry run never writes


def test_plain_row_writes_read_back_as_the_orm_writes_them(world, tmp_path):
    """The import writes tuples (executemany on SQLite, COPY on PostgreSQL), not model objects: what it wrote
    must read back through the ORM exactly as if the ORM had written it, change record included."""
    top = Member.objects.order_by("-pk").first()
    top_pk = top.pk
    top.delete()  # a freed id is never handed out again
    path = write_csv(tmp_path / "new.csv", MEMBER_HEADER, [member_row("丁一", date(1981, 2, 3), "女", 201)])
    result = run_import(MemberImporter(world.org_admin), path, "new.csv", world.org_admin)
    assert result.ok and result.counts["created"] == 1
    m = Member.objects.select_related("org").get(name="丁一")
    assert m.pk > top_pk
    assert (m.id_number, m.birth_date, m.sex, m.education, m.phone, m.org, m.org_path, m.category) == (
        person_id(date(1981, 2, 3), "女", 201), date(1981, 2, 3), "女", "大学本科", "", world.a, world.a.path, "full")
    assert Member.objects.get(id_number_index=m.id_number_index) == m
    assert list(m.belonging_lines.values_list("org_id", "start", "end", "note")) == [(world.a.pk, date(2010, 3, 1), None, "")]
    record = ChangeRecord.objects.for_object(m).get()
    assert (record.action, record.batch_id, record.user, record.channel, record.org_path, record.before) == (
        "create", result.batch_id, world.org_admin, "cli", m.org_path, None)
    assert record.after == {**Member.objects.get(pk=m.pk).log_state(), "belonging_since": "2010-03-01",
                            "categories": [["applicant", "2010-03-01"], ["probationary", "2011-06-01"], ["full", "2012-06-01"]]}
    assert ChangeRecord.objects.filter(time__gte=record.time).exists()  # the time reads back as a time
    m.employer = "后来的单位"
    m.save()  # the ORM's own change log carries on from the imported state
    assert ChangeRecord.objects.for_object(m).get(action="update").before == {"employer": ""}


def _index_sql(tables):
    from django.db import connection

    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                      f" AND tbl_name IN ({', '.join(['%s'] * len(tables))})", list(tables))
        else:
            c.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                      f" AND tablename IN ({', '.join(['%s'] * len(tables))})", list(tables))
        return sorted(c.fetchall())


MEMBER_TABLES = ("members_member", "members_categoryline", "members_belongingline", "core_changerecord")


def test_a_large_import_leaves_the_indexes_as_the_migrations_made_them(world, tmp_path):
    """More new rows than the tables hold: their indexes are dropped for the write and built again before
    the commit (SQLite), from the database's own definitions."""
    before = _index_sql(MEMBER_TABLES)
    assert before
    rows = [member_row(f"新{i}", date(1960, 1, 1) + timedelta(days=i), "男", 300) for i in range(40)]
    result = run_import(MemberImporter(world.org_admin), write_csv(tmp_path / "m.csv", MEMBER_HEADER, rows), "m.csv",
                        world.org_admin)
    assert result.ok and result.counts["created"] == 40
    assert _index_sql(MEMBER_TABLES) == before
    assert Member.objects.filter(name="新39").get().category_lines.count() == 3  # through the rebuilt indexes


def test_deferred_indexes_are_gone_inside_back_after_and_a_rollback_keeps_them(world):
    from django.db import connection, transaction

    from jiceng.core import bulk

    def member_indexes(rows):
        return [i for i in rows if i[0] == "members_member"]

    before = _index_sql(MEMBER_TABLES)
    for alone in (False, True):
        with transaction.atomic():
            with bulk.deferred_indexes([Member], 10**6, alone=alone):
                inside = _index_sql(MEMBER_TABLES)
            after = _index_sql(MEMBER_TABLES)
        assert after == before
        if connection.vendor == "sqlite" or alone:  # PostgreSQL only for a caller alone on the database
            # what is left are the constraints' own indexes (the primary key, unique columns)
            assert len(member_indexes(inside)) < len(member_indexes(before))
            assert all("UNIQUE" in sql.upper() for _t, _n, sql in member_indexes(inside))
        else:
            assert inside == before  # readers of the table are not locked out during an import
        assert [i for i in inside if i[0] == "core_changerecord"] == [i for i in before if i[0] == "core_changerecord"]
        with pytest.raises(RuntimeError), transaction.atomic():
            with bulk.deferred_indexes([Member], 10**6, alone=alone):
                raise RuntimeError
        assert _index_sql(MEMBER_TABLES) == before


def test_a_duplicate_caught_by_a_rebuilt_unique_index_rolls_everything_back(world):
    """A UNIQUE index dropped for the write still refuses a duplicate when it is built again, and the whole
    transaction goes (SQLite; on PostgreSQL the index stays and refuses the row at once)."""
    from django.db import IntegrityError, transaction

    from jiceng.core import bulk
    from jiceng.core.models import RoleGrant

    grants, before = RoleGrant.objects.count(), _index_sql(("core_rolegrant",))
    assert any("UNIQUE" in sql.upper() for _t, _n, sql in before)
    user = world.officer_a
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.deferred_indexes([RoleGrant], 10**6):
            bulk.insert_rows(RoleGrant, ("user_id", "org_id", "role"),
                             [(user.pk, world.b.pk, "inspector"), (user.pk, world.b.pk, "inspector")])
    assert RoleGrant.objects.count() == grants
    assert _index_sql(("core_rolegrant",)) == before


@pytest.fixture
def site(tmp_path):
    """A fresh SQLite site in its own data directory, driven through `python -m jiceng` (real processes:
    the pipelined import forks, which needs committed data, not a test transaction)."""
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data"), "JICENG_DATABASE_URL": "", "PYTHONUNBUFFERED": "1"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "jiceng", *args], env=env, capture_output=True, text=True,
                              timeout=300)

    assert run("migrate", "-v0").returncode == 0
    script = ("from django.contrib.auth.models import User; from jiceng.orgs import services as s; from datetime import date;"
              "User.objects.create_superuser('root', 'r@x.cn', 'x-123456789');"
              "s.create_org(None, code='R', name='根', kind='committee', profile='ccp', founded_on=date(2000,1,1));"
              "s.create_org(None, code='R1', name='一支部', kind='branch', parent=s.Org.objects.get(code='R'), founded_on=date(2000,1,1))")
    assert run("shell", "-c", script).returncode == 0
    return run


def test_a_pipelined_import_with_a_problem_in_the_last_row_writes_nothing(site, tmp_path):
    from jiceng.core.imports import PIPELINE_MIN_BYTES

    n = PIPELINE_MIN_BYTES // 80  # rows of ≈ 110 bytes: over the size from which an import is pipelined
    rows = [member_row(f"人{i}", date(1950, 1, 1) + timedelta(days=i % 15000), "男", i // 15000 + 1, org="R1")
            for i in range(n)]
    good_rows = [list(r) for r in rows]
    rows[-1][5] = "NOPE"  # the last row names no organization
    rows[-2][2] = "1950/13/40"  # and the one before has a date that does not exist: both reported
    bad = write_csv(tmp_path / "bad.csv", MEMBER_HEADER, rows)
    assert bad.stat().st_size > PIPELINE_MIN_BYTES
    count = ("from jiceng.members.models import Member; from jiceng.core.models import ChangeBatch, ChangeRecord;"
             "from django.db import connection; c = connection.cursor();"
             "c.execute(\"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members_member'\");"
             "print(Member.objects.count(), ChangeBatch.objects.count(), ChangeRecord.objects.count(), c.fetchone()[0])")
    members, batches, records, indexes = last_line(site("shell", "-c", count))
    failed = site("import", "members", str(bad), "--as", "root")
    assert failed.returncode != 0
    assert "NOPE" in failed.stdout + failed.stderr and "1950/13/40" in failed.stdout + failed.stderr
    assert last_line(site("shell", "-c", count)) == [members, batches, records, indexes]
    good = site("import", "members", str(write_csv(tmp_path / "good.csv", MEMBER_HEADER, good_rows)), "--as", "root")
    assert good.returncode == 0, good.stdout + good.stderr
    assert last_line(site("shell", "-c", count)) == [str(n), str(int(batches) + 1), str(int(records) + n), indexes]


def test_the_duplicate_checks_compact_keys_tell_every_number_apart():
    from jiceng.members.imports import _person_key

    numbers = ["11010519491231002X", "110105194912310020", "110105194912310029", "110105194912310120"]
    assert len({_person_key(n) for n in numbers}) == 4
    assert all(isinstance(_person_key(n), int) for n in numbers)
    assert _person_key("11010519491231002") == "11010519491231002"  # not well formed: as it is
    assert _person_key("１１0105194912310020") == "１１0105194912310020"
