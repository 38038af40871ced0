"""`jiceng report …`: reports of an organization's subtree (jiceng/stats/report_cli.py)."""
from jiceng.core.cli import ScopedCommand
from jiceng.stats.report_cli import NarrativeReport


class Command(NarrativeReport, ScopedCommand):
    help = "报告：组织及下级的报告 / reports of an organization's subtree"
    subcommands = {**NarrativeReport.subcommands}
    operator_reads = NarrativeReport.operator_reads
