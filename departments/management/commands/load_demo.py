"""Load the demo organizations; every app adds its part (``departments.registry.demo_steps``)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from collab.tenancy import organization_scope
from departments.models import Organization
from departments.registry import demo_steps
from departments.services import organization_create, organization_provision

DEMO_ORGANIZATIONS = [
    {"key": "demo", "name": "演示公司 Demo Co", "slug": "demo", "default_language": "zh-hans"},
    {"key": "other", "name": "Other Co", "slug": "other", "default_language": "en"},
]


class Command(BaseCommand):
    help = "Create the demo organizations, their people and their history."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any organization exists (used by make run)",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Organization.objects.exists():
            self.stdout.write("organizations exist; demo data not loaded")
            return
        for spec in DEMO_ORGANIZATIONS:
            with transaction.atomic():
                organization = Organization.objects.filter(slug=spec["slug"]).first()
                if organization is None:
                    organization = organization_create(
                        name=spec["name"],
                        slug=spec["slug"],
                        default_language=spec["default_language"],
                    )
                else:
                    organization_provision(organization=organization)
                # Each step in the organization's scope (row-level security);
                # a step that reads across organizations says so itself.
                for step in demo_steps:
                    with organization_scope(organization.id):
                        step.run(organization=organization, key=spec["key"])
            self.stdout.write(f"demo organization ready: {organization.name}")
