from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo as an app, so that `jiceng setup` and `serve` find it in the registry and core names no app."""

    name = "jiceng.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        from django.core.management import call_command

        from jiceng.core.registry import register_cli_command, register_demo_builder
        from jiceng.orgs.models import Org

        from . import accounts

        register_demo_builder("demo", present=Org.objects.exists, build=lambda: call_command("demo"),
                              logins=accounts.table, hint=accounts.hint)
        register_cli_command("demo", "生成演示组织与成员（Faker 合成人员）/ build the demo organizations and synthetic members", 20)
