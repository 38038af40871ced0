from django.core.management.base import BaseCommand, CommandError

from jiceng.demo import accounts
from jiceng.demo.build import DemoError, build


class Command(BaseCommand):
    help = ("生成演示数据：种子文章中的组织、合成成员（Faker zh_CN）和各角色演示账号 / "
            "build demo data: the seed articles' organizations, synthetic members (Faker zh_CN) and a login per role")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子 / random seed (default 2026)")
        parser.add_argument("--force", action="store_true",
                            help="先清除全部组织、成员和演示账号 / wipe all organizations, members and demo accounts first")

    def handle(self, *args, seed, force, **options):
        try:
            result = build(seed=seed, force=force)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result["wiped"]:
            self.stdout.write("已清除 / wiped: {orgs} 个组织 orgs, {members} 名成员 members".format(**result["wiped"]))
        self.stdout.write(f"演示数据已生成 / demo data built (seed {result['seed']}, {result['seconds']} s):")
        width = max(accounts.width(r["name"]) for r in result["roots"])
        for r in result["roots"]:
            self.stdout.write(f"  {accounts.pad(r['name'], width)}  {r['orgs']:>3} 个组织 orgs  {r['people']:>4} 人 people  "
                              f"截至 as of {r['as_of']}: {r['members_as_of']} 名{r['word']}")
        self.stdout.write(accounts.table())
