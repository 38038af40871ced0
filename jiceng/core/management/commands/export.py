"""jiceng export orgs|members — any filtered list, in the import format, within the user's scope."""
from jiceng.core.cli import ScopedCommand, t
from jiceng.core.exports import export
from jiceng.core.tabular import template


class Command(ScopedCommand):
    help = "导出组织或成员、下载空白模板 / export organizations or members, or write a blank template"
    subcommands = {
        "orgs": "导出组织 / export organizations",
        "members": "导出成员 / export members",
        "template": "空白导入模板 / blank import template",
    }

    def _args(self, parser):
        parser.add_argument("-o", "--output", required=True, help="输出文件 / output file (.xlsx or .csv)")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="筛选条件，与网页和 API 相同（如 org_code=C001、category=full）/ filters as in the UI and API")

    args_orgs = args_members = _args

    def args_template(self, parser):
        parser.add_argument("kind", choices=["orgs", "members"])
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--profile", help="成员模板使用的体系（决定人员类别下拉项）/ profile for the category list")

    def do_orgs(self, **options):
        self._export("orgs", **options)

    def do_members(self, **options):
        self._export("members", **options)

    def _export(self, kind, output, filter, **_):
        data = {}
        for item in filter:
            key, _sep, value = item.partition("=")
            data.setdefault(key.strip(), []).append(value.strip())
        fmt = "csv" if output.lower().endswith(".csv") else "xlsx"
        with open(output, "wb") as out:
            rows = export(kind, self.user, {k: v if len(v) > 1 else v[0] for k, v in data.items()}, out, fmt)
        self.emit({"file": output, "rows": rows}, t(f"已导出 {rows} 行到 {output}", f"exported {rows} rows to {output}"))

    def do_template(self, kind, output, profile, **_):
        from jiceng.core import profiles
        from jiceng.members.imports import member_columns, member_example
        from jiceng.orgs.imports import org_columns, org_example

        columns = org_columns() if kind == "orgs" else member_columns(profiles.get(profile) if profile else None)
        example = org_example() if kind == "orgs" else member_example()
        with open(output, "wb") as out:
            template(out, columns, example, t("组织导入模板", "organization import template") if kind == "orgs"
                     else t("成员导入模板", "member import template"))
        self.emit({"file": output}, t(f"模板已写入 {output}", f"template written to {output}"))
