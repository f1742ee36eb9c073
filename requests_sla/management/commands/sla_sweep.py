"""Run one escalation sweep by hand: ``manage.py sla_sweep [--dry-run]``."""

from django.core.management.base import BaseCommand

from requests_sla.escalation.services import PAGE_SIZE, sla_sweep
from requests_sla.sla.models import EscalationLevel


class Command(BaseCommand):
    help = "Escalate the SLA timers that crossed a threshold (one sweep over all organizations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be escalated; change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=PAGE_SIZE)

    def handle(self, *args, dry_run=False, batch_size=PAGE_SIZE, **options):
        report = sla_sweep(dry_run=dry_run, batch_size=batch_size)
        for e in report.escalations:
            label = EscalationLevel(e.level).label
            extra = " (caught up)" if e.caught_up else ""
            self.stdout.write(
                f"org={e.organization_id} {e.reference} timer={e.timer_key} level={e.level} {label}{extra}"
            )
        verb = "would escalate" if dry_run else "escalated"
        self.stdout.write(
            f"{verb} {len(report.escalations)} step(s) from {report.examined} due timer(s); "
            f"meetings created: {report.meetings_created}; notifications: {report.notifications}; "
            f"skipped (locked): {report.skipped_locked}; {report.seconds:.2f}s"
        )
