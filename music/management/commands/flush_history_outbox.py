"""Deliver sync-history records that waited for MongoDB: ``manage.py flush_history_outbox``."""

from django.core.management.base import BaseCommand, CommandError

from music.services import history_outbox_flush


class Command(BaseCommand):
    help = "Deliver the sync-history records waiting in the PostgreSQL outbox to MongoDB."

    def handle(self, *args, **options):
        delivered = 0
        while True:
            result = history_outbox_flush()
            delivered += result.delivered
            if result.error or not result.delivered or not result.pending:
                break
        self.stdout.write(f"Delivered {delivered}; {result.pending} waiting.")
        if result.parked:
            self.stdout.write(
                f"  {result.parked} record(s) MongoDB refused too often are parked: see "
                "History outbox in the admin (filter 'Parked'), fix the cause, then Retry."
            )
        if result.error:
            raise CommandError(f"MongoDB is unreachable: {result.error[:300]}")
