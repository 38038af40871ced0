from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiceng.core import registry


class Command(BaseCommand):
    help = "启动网页服务（Django runserver，不自动重载）/ run the web app (Django's runserver, no reloader)"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="地址:端口 / address:port (default 127.0.0.1:8000)")

    def handle(self, *args, addr, **options):
        addr = addr if ":" in addr else f"127.0.0.1:{addr}"
        self.stdout.write(f"Jiceng 已启动 / running at http://{addr}/")
        self.stdout.write("调试模式已打开 / debug on (JICENG_DEBUG=1)" if settings.DEBUG else
                          "调试模式关闭（需要时设 JICENG_DEBUG=1）/ debug off (set JICENG_DEBUG=1 to turn it on)")
        for text in filter(None, (demo.hint() for demo in registry.demo_builder_list())):
            self.stdout.write(text)
        call_command("runserver", addr, use_reloader=False)
