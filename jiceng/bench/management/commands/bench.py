"""`jiceng bench <name>`: benchmarks, separate from the tests. Each has a subcommand."""
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiceng.bench import dues, imports, orglife, standing, stats, tree

# subcommand -> its module (jiceng.bench.<module>): each runs as a process of its own, because the benchmark
# database must be chosen before settings load, and these settings are already loaded with the working one
BENCHES = {"tree": tree, "import": imports, "orglife": orglife, "stats": stats, "dues": dues,
           "standing": standing}


class Command(BaseCommand):
    help = (
        "基准测试（与测试分开），结果写入 BENCHMARKS.md / benchmarks, separate from the tests; "
        f"figures go to BENCHMARKS.md. 子命令 / subcommands: {', '.join(BENCHES)}"
    )

    def add_arguments(self, parser):
        subs = parser.add_subparsers(dest="benchmark", required=True, title="基准 / benchmarks",
                                     metavar="{" + ",".join(BENCHES) + "}")
        for name, module in BENCHES.items():
            module.add_arguments(subs.add_parser(name, help=module.HELP, description=module.DESCRIPTION))

    def handle(self, *args, benchmark, **options):
        module = BENCHES[benchmark]
        if module is tree:
            argv = ["--orgs", str(options["orgs"]), "--members", str(options["members"]),
                    "--samples", str(options["samples"]),
                    "--db", str(Path(options["db"] or Path(settings.DATA_DIR) / "bench" / "tree.sqlite3").resolve())]
            argv += [f"--{flag.replace('_', '-')}" for flag in ("keep", "explain", "no_write") if options[flag]]
        else:
            argv = module.argv_from(options)
        code = subprocess.run([sys.executable, "-m", module.__name__, *argv]).returncode
        if code:
            raise CommandError(f"bench {benchmark}: exit status {code}", returncode=code)
