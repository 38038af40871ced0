from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks as an app: their command sits beside the code it times, and core names no app."""

    name = "jiceng.bench"
    label = "bench"
    verbose_name = "基准测试"

    def ready(self):
        from jiceng.core.registry import register_cli_command

        register_cli_command("bench tree", "组织树与成员列表基准测试 / benchmark subtree member lists (100k orgs, 1M members)", 40)
        register_cli_command("bench orglife", "组织生活落实情况基准测试 / benchmark orglife compliance (a province: 100k orgs, 3M meetings; a city's subtree page)", 42)
        register_cli_command("bench import", "批量导入基准测试 / benchmark bulk member import (1M rows, csv and xlsx)", 41)
