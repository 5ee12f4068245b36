from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "saferplan.consultation"
    label = "consultation"
