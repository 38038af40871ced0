"""jiceng export orgs|members — any filtered list, in the import format or as a printable roster (--layout roster),
within the user's scope."""
from jiceng.core import profiles, registry
from jiceng.core.cli import INVALID, NOT_FOUND, Failed, ScopedCommand, t
from jiceng.core.context import acting
from jiceng.core.exports import LAYOUTS, export, formats
from jiceng.core.tabular import template


class Command(ScopedCommand):
    help = "导出组织或成员、下载空白模板 / export organizations or members, or write a blank template"

    @property
    def subcommands(self):  # one per registered sheet, and the blank templates
        return {**{k.key: f"导出{k.label} / export {k.name_en}" for k in registry.sheet_list()},
                "template": "空白导入模板 / blank import template"}

    def __getattr__(self, name):  # args_<sheet> and do_<sheet> for every registered sheet
        verb, _sep, sheet = name.partition("_")
        if sheet in registry.sheets and verb in ("args", "do"):
            return self._args if verb == "args" else lambda **options: self._export(sheet, **options)
        raise AttributeError(name)

    def _args(self, parser):
        parser.add_argument("-o", "--output", required=True, help="输出文件 / output file (.xlsx or .csv; a roster .docx or .xlsx)")
        parser.add_argument("--layout", choices=LAYOUTS, default="list",
                            help="list：导入格式（默认）；roster：可打印的花名册 / list: the import format; roster: a printable roster")
        parser.add_argument("--format", choices=("xlsx", "csv", "docx"),
                            help="文件格式，默认按输出文件的扩展名 / file format, by default the output's extension")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="筛选条件，与网页和 API 相同（如 org_code=C001、category=full）/ filters as in the UI and API")

    def args_template(self, parser):
        parser.add_argument("sheet", choices=list(registry.sheets))
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--profile", help="成员模板使用的体系（决定人员类别下拉项）/ profile for the category list")

    def _export(self, sheet, output, filter, layout="list", format=None, **_):
        data = {}
        for item in filter:
            key, _sep, value = item.partition("=")
            data.setdefault(key.strip(), []).append(value.strip())
        allowed = formats(layout)
        fmt = format or next((f for f in allowed if output.lower().endswith(f".{f}")), allowed[0])
        if fmt not in allowed:
            raise Failed(t(f"{layout} 只能导出为 {' / '.join(allowed)}", f"{layout} is written as {' / '.join(allowed)} only"),
                         returncode=INVALID)
        if layout == "roster" and registry.sheets[sheet].roster is None:
            raise Failed(t(f"{sheet} 没有花名册", f"{sheet} has no roster"), returncode=NOT_FOUND)
        with acting(self.user, channel="cli"), open(output, "wb") as out:  # the export record says "command line"
            rows = export(sheet, self.user, {k: v if len(v) > 1 else v[0] for k, v in data.items()}, out, fmt,
                          layout=layout)
        self.emit({"file": output, "rows": rows}, t(f"已导出 {rows} 行到 {output}", f"exported {rows} rows to {output}"))

    def do_template(self, sheet, output, profile, **_):
        spec = registry.sheets[sheet]
        with open(output, "wb") as out:
            template(out, spec.columns(profiles.get(profile) if profile else None), spec.example(),
                     spec.title_of(self.user))
        self.emit({"file": output}, t(f"模板已写入 {output}", f"template written to {output}"))
