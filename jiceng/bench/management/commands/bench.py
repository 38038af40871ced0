"""`jiceng bench <name>`: benchmarks, separate from the tests. Each has a subcommand."""
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiceng.bench import imports, orglife, standing, tree


class Command(BaseCommand):
    help = (
        "基准测试（与测试分开），结果写入 BENCHMARKS.md / benchmarks, separate from the tests; "
        "figures go to BENCHMARKS.md. 子命令 / subcommands: tree, import, orglife"
    )

    def add_arguments(self, parser):
        subs = parser.add_subparsers(dest="benchmark", required=True, title="基准 / benchmarks", metavar="{tree,import,orglife,standing}")
        tree.add_arguments(subs.add_parser("tree", help=tree.HELP, description=tree.DESCRIPTION))
        imports.add_arguments(subs.add_parser("import", help=imports.HELP, description=imports.DESCRIPTION))
        orglife.add_arguments(subs.add_parser("orglife", help=orglife.HELP, description=orglife.DESCRIPTION))
        standing.add_arguments(subs.add_parser("standing", help=standing.HELP, description=standing.DESCRIPTION))

    def handle(self, *args, benchmark, **options):
        if benchmark == "tree":
            # A separate process: the benchmark database must be chosen before settings load,
            # and these settings are already loaded with the working database.
            argv = ["--orgs", str(options["orgs"]), "--members", str(options["members"]),
                    "--samples", str(options["samples"]),
                    "--db", str(Path(options["db"] or Path(settings.DATA_DIR) / "bench" / "tree.sqlite3").resolve())]
            argv += [f"--{flag.replace('_', '-')}" for flag in ("keep", "explain", "no_write") if options[flag]]
            code = subprocess.run([sys.executable, "-m", "jiceng.bench.tree", *argv]).returncode
            if code:
                raise CommandError(f"bench {benchmark}: exit status {code}", returncode=code)
        elif benchmark == "import":
            code = subprocess.run([sys.executable, "-m", "jiceng.bench.imports", *imports.argv_from(options)]).returncode
            if code:
                raise CommandError(f"bench {benchmark}: exit status {code}", returncode=code)
        elif benchmark == "orglife":
            code = subprocess.run([sys.executable, "-m", "jiceng.bench.orglife", *orglife.argv_from(options)]).returncode
            if code:
                raise CommandError(f"bench {benchmark}: exit status {code}", returncode=code)
        elif benchmark == "standing":
            code = subprocess.run([sys.executable, "-m", "jiceng.bench.standing", *standing.argv_from(options)]).returncode
            if code:
                raise CommandError(f"bench {benchmark}: exit status {code}", returncode=code)
