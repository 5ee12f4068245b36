from django.apps import AppConfig


class OperatorConfig(AppConfig):
    name = "saferplan.operator"
    label = "operator"
    verbose_name = "Site operator"
