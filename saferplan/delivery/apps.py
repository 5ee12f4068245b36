from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "saferplan.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self):
        # Bound KPIs follow the crime store: refreshed after each successful import (see signals).
        from . import signals  # noqa: F401
