"""Point node A's postgres_fdw at node B, from the FDW_REMOTE_* settings.

Creates or updates the foreign server (``archive_node``) and the user mapping, imports node B's
archive tables into the ``archive`` schema (again when node B's schema changed), and moves
plays stored locally before node B existed, counts checked. Twice in a row changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from fdw.services import FdwNotConfigured, FdwSetupError, fdw_check, fdw_setup


class Command(BaseCommand):
    help = "Create or update the postgres_fdw server, user mapping and foreign tables of node B."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Print reachability, row counts and the EXPLAIN VERBOSE of the standard "
            "per-user aggregate; change nothing.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the SQL it would run; change nothing."
        )

    def handle(self, *args, check: bool = False, dry_run: bool = False, **options):
        try:
            if check:
                for line in fdw_check():
                    self.stdout.write(line)
                return
            result = fdw_setup(dry_run=dry_run)
        except FdwNotConfigured as exc:
            self.stdout.write(str(exc))
            return
        except FdwSetupError as exc:
            raise CommandError(str(exc)) from exc
        for statement in result.statements:
            self.stdout.write(f"{statement};" if not statement.startswith("--") else statement)
        if dry_run:
            summary = f"dry run: {len(result.statements)} statement(s) would run"
        elif result.changed:
            summary = f"node B set up: {len(result.statements)} change(s)"
        else:
            summary = "node B already set up: nothing changed"
        self.stdout.write(self.style.SUCCESS(summary))
