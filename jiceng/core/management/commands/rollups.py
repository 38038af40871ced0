from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiceng.core import registry, rollups


class Command(BaseCommand):
    help = ("汇总表：核对或重建（绕过变更记录直接写库之后）/ roll-ups: check them against the records, or rebuild them "
            "(after a load that went around the change log)")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="从记录重建全部汇总表 / recompute every roll-up from its records")

    def handle(self, *args, rebuild: bool, **options):
        if rebuild:
            with transaction.atomic():
                for name in rollups.rebuild_all():
                    self.stdout.write(f"已重建 / rebuilt: {name}")
        stale = 0
        for rollup in registry.rollups:
            diff = rollup.check()
            stale += bool(diff)
            self.stdout.write(f"{rollup.table._meta.verbose_name}: " + (
                "与记录一致 / agrees with the records" if not diff else f"{len(diff)} 行不一致 / rows differ"))
        if stale:
            raise CommandError("汇总表与记录不一致，请运行 jiceng rollups --rebuild / roll-ups differ from the records: "
                               "run jiceng rollups --rebuild")
