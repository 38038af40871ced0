"""`jiceng dues …`: the dues rule engine (and, with --as, members' dues bases) from the command line."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.core.cli import ScopedCommand

from jiceng.dues import engine

FIELDS = {"profile": _("组织体系"), "group": _("交纳类别"), "base": _("计算基数"), "amount": _("每月金额")}


class Command(ScopedCommand):
    help = "党费（会费、社费）：按规则计算 / dues: compute by the profile's rules"
    subcommands = {
        "compute": "按组织体系的规则计算每月应交金额（无需 --as）/ the monthly amount by a profile's rules (no --as needed)",
    }
    label_sources = (FIELDS,)
    operator_reads = frozenset({"compute"})  # a pure computation: reads no record (docs/decisions/cli-caller.md)

    def args_compute(self, p):
        p.add_argument("--profile", default="ccp", help="组织体系键（默认 ccp）/ profile key (default ccp)")
        p.add_argument("--group", required=True, help="交纳类别键，如 in_service / group key, e.g. in_service")
        p.add_argument("--base", help="计算基数（元），如税后月工资 / the monthly base in yuan")
        p.add_argument("--amount", help="定额类别所选金额（元），如农民党员 0.2–1 / the amount chosen within a fixed range")

    def do_compute(self, profile, group, base, amount, **_):
        try:
            result = engine.compute(engine.rules_of(profile), group, base, amount=amount)
        except ValidationError as exc:
            raise self.problems(exc) from None
        data = result.as_json()
        self.emit(data, data["amount"], result.rule)
