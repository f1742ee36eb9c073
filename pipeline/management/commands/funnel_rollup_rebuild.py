"""Rebuild the funnel's rollups from the stage changes (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from collab.tenancy import organization_scope
from departments.models import Organization
from pipeline.rollups import services


class Command(BaseCommand):
    help = (
        "Rebuild FunnelEntryDay, FunnelStayDay and FunnelOpenDay from StageChange"
        " (all organizations, or one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", metavar="SLUG", help="only this organization")

    def handle(self, *args, organization=None, **options):
        organizations = Organization.objects.order_by("pk")
        if organization:
            organizations = organizations.filter(slug=organization)
            if not organizations.exists():
                raise CommandError(f"no organization with slug {organization!r}")
        for org in organizations:
            with organization_scope(org.id):
                services.funnel_rollup_rebuild(organization=org)
            self.stdout.write(f"{org.slug}: funnel rollup rebuilt")
