import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiceng.core import registry
from jiceng.core.i18n import compile_catalogs


class Command(BaseCommand):
    help = ("安装或升级：迁移数据库、编译翻译；库中没有组织时生成演示数据；列出演示账号。可重复运行 / "
            "install or upgrade: migrate, compile translations, build the demo when there are no organizations, "
            "list the demo logins. Safe to run again")

    def handle(self, *args, **options):
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write("数据库已迁移 / database migrated")
        self.stdout.write(f"翻译目录已编译 / translation catalogs compiled: {compile_catalogs()}")
        demos = registry.demo_builder_list()
        if any(demo.present() for demo in demos):
            self.stdout.write("已有组织数据，演示数据保持不变 / organizations exist: demo data left as it is")
            for text in filter(None, (demo.logins() for demo in demos)):
                self.stdout.write(text)
        else:
            for demo in demos:
                demo.build()
        self.stdout.write(f"完成 / done in {time.monotonic() - started:.1f} s — 启动 / start: jiceng serve")
