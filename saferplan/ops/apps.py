from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    # Rate limits and lockout counters live in the database cache: every database that is
    # migrated (production, the demo's SQLite, each test database) gets its table too.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class OpsConfig(AppConfig):
    name = "saferplan.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="saferplan-ops-cache-table")
