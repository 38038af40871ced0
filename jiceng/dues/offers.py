"""What the dues app offers core and the pages of others (`core.registry`); run from `ready()`."""
from jiceng.core import registry


def register() -> None:
    registry.register_cli_command("dues", "党费（会费、社费）：计算、交纳基数 / dues: compute, members' bases", 75)
