"""The `jiceng` command: the project's own commands first, then Django's.

    jiceng demo | serve | bench tree | migrate | createsuperuser | …
"""
import os
import sys

HEAD = """jiceng — 基层组织建设平台 / grassroots organization building

用法 / usage: jiceng <命令 command> [选项 options]

常用命令 / main commands:
"""
TAIL = """  migrate         迁移数据库结构 / apply database migrations
  createsuperuser 创建超级管理员 / create a superuser

每个命令都有 --help / every command has --help. 其他 Django 命令：jiceng help --commands
"""


def help_text() -> str:
    """The commands core and the apps registered (`core.registry.cli_commands`), then Django's main ones."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()  # the apps register their commands when they are ready
    from jiceng.core.registry import cli_commands

    listed = sorted(cli_commands.values(), key=lambda c: c.order)
    return HEAD + "".join(f"  {c.name:<15} {c.help}\n" for c in listed) + TAIL


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(help_text())
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
