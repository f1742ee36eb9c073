from django.core.management.base import BaseCommand, CommandError

from departments.models import Organization
from departments.services import organization_create, organization_provision


class Command(BaseCommand):
    help = "Create an organization (or re-provision an existing one by slug) with the seed's departments."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default="")
        parser.add_argument("--timezone", default="Asia/Shanghai")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument("--country", default="CN")

    def handle(self, slug, name, timezone, language, country, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization:
            organization_provision(organization=organization)
            self.stdout.write(f"re-provisioned {organization.slug}")
            return
        if not name:
            raise CommandError("--name is required for a new organization")
        organization = organization_create(
            name=name, slug=slug, timezone=timezone, default_language=language, country=country
        )
        self.stdout.write(f"created {organization.slug}")
