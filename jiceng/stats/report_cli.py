"""`jiceng report narrative ORG_CODE [--as-of YYYY-MM-DD] [--out FILE.docx] [--json] [--as USER]`: the narrative
report (基本情况) as .docx, or its paragraphs. A mixin, so `jiceng report` can gather other reports' subcommands
(the annual tables) beside it. Counts only, no person named: without --as it reads as the machine's operator
(docs/decisions/cli-caller.md), like `jiceng stats`."""
from __future__ import annotations

from pathlib import Path

from jiceng.core.cli import INVALID, Failed, day, find_org, t


class NarrativeReport:
    """Adds the subcommand `narrative` to a ScopedCommand."""

    subcommands = {"narrative": "基本情况报告：组织及下级的文字报告（.docx）/ the narrative report of a subtree (.docx)"}
    operator_reads = frozenset({"narrative"})

    def args_narrative(self, parser):
        parser.add_argument("org_code", metavar="ORG_CODE", help="组织编码（含下级）/ organization code, with its subtree")
        parser.add_argument("--as-of", dest="as_of", type=day, metavar="YYYY-MM-DD",
                            help="统计截止日（默认今天）/ as of the end of this day (default: today)")
        parser.add_argument("--out", metavar="FILE.docx",
                            help="写入的 Word 文件（默认：组织编码_基本情况_日期.docx）/ the .docx to write")

    def do_narrative(self, org_code, as_of, out=None, **_):
        from .narrative import as_json, docx_bytes, report

        org = find_org(self.user, org_code)
        data = report(self.user, org, as_of)
        path = Path(out or f"{org.code}_基本情况_{data['as_of']}.docx")
        if path.suffix.lower() != ".docx":
            raise Failed(t("--out 应为 .docx 文件", "--out must name a .docx file"), returncode=INVALID)
        path.write_bytes(docx_bytes(data))
        self.emit({**as_json(data), "file": str(path)}, data["title"], *data["paragraphs"],
                  t(f"已写入 {path}", f"Written to {path}"))
