"""`jiceng stats ORG_CODE [--as-of YYYY-MM-DD] [--from --to] [--filter KEY=VALUE …] --json`: the statistics document
(contracts/stats-json.md); `jiceng stats ORG_CODE --annual YYYY --out FILE`: the annual tables (.xlsx). Without --as it reads as the machine's operator (docs/decisions/cli-caller.md)."""
from datetime import date

from django.core.exceptions import ValidationError

from jiceng.core.cli import INVALID, Failed, ScopedCommand, common_options, day, find_org, t
from jiceng.core.dates import today
from jiceng.stats.annual import export
from jiceng.stats.document import document


class Command(ScopedCommand):
    help = "统计：组织及下级的人员与组织统计 / statistics of an organization's subtree (contracts/stats-json.md)"
    operator_reads = frozenset({"stats"})

    def add_arguments(self, parser):  # one command, no subcommands: the contract's line, with the common options
        for action in common_options()._actions:  # (--as, --lang, --json) copied from their one definition
            parser._add_action(action)
        parser.add_argument("org_code", metavar="ORG_CODE", help="组织编码（含下级）/ organization code, with its subtree")
        parser.add_argument("--as-of", dest="as_of", type=day, metavar="YYYY-MM-DD",
                            help="统计截止日（默认今天）/ as of the end of this day (default: today)")
        parser.add_argument("--from", dest="start", type=day, metavar="YYYY-MM-DD",
                            help="新发展人员的起始日（默认截止日所在年的1月1日）/ new members from (default: 1 January)")
        parser.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD",
                            help="新发展人员的终止日（默认该年12月31日）/ new members to (default: 31 December)")
        parser.add_argument("--annual", dest="annual", type=int, metavar="YYYY",
                            help="年报表：截至该年12月31日的统计年报表（.xlsx，需 --out）/ the annual tables at the end of YYYY (.xlsx, with --out)")
        parser.add_argument("--out", dest="out", metavar="FILE", help="年报表写入的文件 / the file the annual tables go to")
        parser.add_argument("--filter", dest="filters", action="append", default=[], metavar="KEY=VALUE",
                            help="按导入格式的列筛选，如 employment=在职 sex=女 / narrow by an import-format column")

    def handle(self, *args, **options):
        super().handle(*args, subcommand="stats", **options)

    def do_stats(self, org_code, as_of, start, end, filters, annual=None, out=None, **_):
        if annual is not None or out:
            return self.annual(org_code, annual, out)
        pairs = {}
        for item in filters:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise Failed(t(f"--filter {item}：应写作 键=值，如 employment=在职",
                               f"--filter {item}: write KEY=VALUE, e.g. employment=在职"), returncode=INVALID)
            pairs[key.strip()] = value.strip()
        org = find_org(self.user, org_code)
        period = None
        if start or end:
            year = (as_of or today()).year
            period = (start or date(year, 1, 1), end or date(year, 12, 31))
            if period[0] > period[1]:
                raise Failed(t("--from 不能晚于 --to", "--from must not be after --to"), returncode=INVALID)
        try:
            doc = document(self.user, org, as_of, pairs, period)
        except ValidationError as exc:
            raise self.problems(exc) from None
        m = doc["members"]
        lines = [t(f"{doc['org']['name']}（{doc['org']['code']}）统计至 {doc['as_of']}",
                   f"{doc['org']['name']} ({doc['org']['code']}) as of {doc['as_of']}"),
                 t(f"成员 {m['total']} 人，申请及培养中 {doc['candidates']['total']} 人，组织 {doc['organizations']['total']} 个",
                   f"{m['total']} members, {doc['candidates']['total']} on the way in, {doc['organizations']['total']} organizations")]
        for key, counts in m.items():
            if isinstance(counts, dict) and counts:
                lines.append(f"  {key}: " + "，".join(f"{k} {n}" for k, n in counts.items()))
        s = doc.get("structure")
        if s:  # a democratic party's cadres by rank and political arrangements
            lines.append("  by_cadre_rank: " + "，".join(f"{k} {n}" for k, n in s["by_cadre_rank"].items()))
            for word, levels in s["political_arrangements"].items():
                lines.append(f"  {word}: " + "，".join(f"{k} {n}" for k, n in levels.items()))
        nm = doc["new_members"]
        lines.append(t(f"新发展 {nm['count']} 人（{nm['period'][0]} 至 {nm['period'][1]}），平均年龄 {nm['average_age']} 岁",
                       f"{nm['count']} new ({nm['period'][0]} to {nm['period'][1]}), average age {nm['average_age']}"))
        self.emit(doc, *lines)

    def annual(self, org_code, year, out):
        """`--annual YYYY --out FILE`: the annual tables (stats.annual), logged as an export; exit 0 even when a
        cross-check fails (the 校验 sheet marks it), the failures named on stderr."""
        if year is None or not out or not 1900 <= year <= 2100:
            raise Failed(t("年报表需同时指定 --annual 年份（1900–2100）和 --out 文件",
                           "the annual tables need both --annual YYYY (1900–2100) and --out FILE"), returncode=INVALID)
        org = find_org(self.user, org_code)
        data, checks = export(self.user, org, year)
        with open(out, "wb") as f:
            f.write(data)
        failed = [c for c in checks if not c.ok]
        for c in failed:
            self.stderr.write(f"✗ {c.table}: {c.what} ({c.left} {c.relation} {c.right})")
        self.emit({"file": out, "year": year, "org": org.code, "checks": len(checks), "failed": len(failed)},
                  t(f"{org.name}（{org.code}）{year}年年报表已写入 {out}；校验 {len(checks)} 项，未通过 {len(failed)} 项",
                    f"{org.name} ({org.code}) annual tables {year} written to {out}; {len(checks)} checks, {len(failed)} failed"))
