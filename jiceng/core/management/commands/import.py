"""jiceng import orgs|members FILE — check the whole file, then import all of it or nothing."""
import sys
import time

from jiceng.core import registry
from jiceng.core.cli import INVALID, Failed, ScopedCommand, t
from jiceng.core.import_jobs import importer_for
from jiceng.core.imports import run_import
from jiceng.core.tabular import problem_report


class Command(ScopedCommand):
    help = "导入组织或成员（xlsx/csv，全部成功或全部不写）/ import organizations or members (xlsx/csv, all or nothing)"

    @property
    def subcommands(self):  # one per registered sheet
        return {k.key: f"导入{k.label} / import {k.name_en}" for k in registry.sheet_list()}

    def __getattr__(self, name):  # args_<sheet> and do_<sheet> for every registered sheet
        verb, _sep, sheet = name.partition("_")
        if sheet in registry.sheets and verb in ("args", "do"):
            return self._args if verb == "args" else lambda **options: self._run(sheet, **options)
        raise AttributeError(name)

    def _args(self, parser):
        parser.add_argument("file", help="xlsx 或 csv 文件 / an .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing")
        parser.add_argument("--report", metavar="OUT.xlsx", help="把问题清单写入表格（问题单元格标红）/ write the problems to a spreadsheet")

    def _run(self, sheet, file, dry_run, report, **_):
        importer = importer_for(sheet, self.user)
        tty = sys.stdout.isatty()
        last = [0.0]

        def show(p):
            now = time.monotonic()
            if p.phase != "done" and now - last[0] < (0.2 if tty else 5):
                return
            last[0] = now
            total = f"/{p.total:,}" if p.total else ""
            left = f" {t('剩余', 'left')} {p.seconds_left:.0f}s" if p.seconds_left is not None else ""
            line = f"{t('检查' if p.phase == 'check' else '写入', p.phase)} {p.done:,}{total} {t('行', 'rows')} · {p.rate:,.0f}/s{left}"
            if tty:
                self.stdout.write("\r" + line.ljust(70), ending="")
            else:
                self.stdout.write(line)

        result = run_import(importer, file, file, self.user, dry_run=dry_run, on_progress=show)
        if tty:
            self.stdout.write("")
        for note in result.notes:
            self.stderr.write(f"{t('提示', 'note')}: {note.column}: {note.reason}")
        if not result.ok:
            if report:
                with open(report, "wb") as out:
                    problem_report(out, importer.columns, result.problem_rows, result.problems)
            lines = [f"{t('第', 'row ')}{p.row}{t('行', '')} · {p.column} · “{p.value}”: {p.reason}" if p.row else f"{p.column}: {p.reason}"
                     for p in result.problems]
            head = t(f"发现 {len(result.problems)} 个问题，未写入任何数据", f"{len(result.problems)} problems found; nothing was written")
            raise Failed("\n".join([head, *lines]), returncode=INVALID)
        c = result.counts
        summary = {"file": result.filename, "sha256": result.sha256, "rows": result.rows, "dry_run": dry_run,
                   "batch": result.batch_id, **c}
        self.emit(summary, t(
            f"{'检查通过（未写入）' if dry_run else '导入完成'}：{result.rows} 行，新建 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}",
            f"{'checked, nothing written' if dry_run else 'imported'}: {result.rows} rows, {c['created']} created, "
            f"{c['updated']} updated, {c['unchanged']} unchanged"))
