from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "saferplan.assessment"
    label = "assessment"
