"""The `jiceng` command: the project's own commands first, then Django's.

    jiceng demo | serve | bench tree | migrate | createsuperuser | …
"""
import os
import sys

HELP = """jiceng — 基层组织建设平台 / grassroots organization building

用法 / usage: jiceng <命令 command> [选项 options]

常用命令 / main commands:
  setup           迁移数据库；库为空时载入演示数据 / migrate; load the demo when the database is empty
  demo            生成演示组织与成员（Faker 合成人员）/ build the demo organizations and synthetic members
  serve           启动网页服务（默认 127.0.0.1:8000）/ run the web app (default 127.0.0.1:8000)
  bench tree      组织树与成员列表基准测试 / benchmark subtree member lists (100k orgs, 1M members)
  bench import    批量导入基准测试 / benchmark bulk member import (1M rows, csv and xlsx)
  org             组织：查看、列出、新建、更名、调整隶属、合并、撤销 / organizations: show, list, add, rename, move, merge, dissolve
  member          成员：列出、查看、新增、修改、转接、变更类别 / members: list, show, add, set, transfer, category
  import          从 xlsx/csv 导入组织或成员（全部成功或全部不写）/ import organizations or members (all or nothing)
  export          导出组织或成员列表（xlsx/csv，按权限脱敏）；export template 写空白模板 / export lists (masked by role); export template writes a blank template
  admission       发展流程：申请、记录步骤、时间线、计划、进度 / admission: start, record steps, timeline, plans, pipeline
  migrate         迁移数据库结构 / apply database migrations
  createsuperuser 创建超级管理员 / create a superuser

每个命令都有 --help / every command has --help. 其他 Django 命令：jiceng help --commands
"""


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(HELP)
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
