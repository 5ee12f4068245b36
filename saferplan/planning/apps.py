from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "saferplan.planning"
    label = "planning"
