from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "saferplan.partnership"
    label = "partnership"
    verbose_name = "Partnership"
