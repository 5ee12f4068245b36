from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "saferplan.consultation"
    label = "consultation"

    def ready(self):
        from . import definition

        definition.connect()
