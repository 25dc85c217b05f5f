"""Print the release this code is, and the schema generation it writes."""

import django
from django.core.management.base import BaseCommand

import elekto_site


class Command(BaseCommand):
    help = "Print the release this code is (see CHANGELOG.md) and the schema generation it writes."
    requires_system_checks = []

    def handle(self, *args, **options):
        self.stdout.write(f"Elekto {elekto_site.__version__} (schema generation {elekto_site.SCHEMA_GENERATION}), "
                          f"Django {django.get_version()}")
