from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "saferplan.consultation"
    label = "consultation"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from . import definition, services
        from .models import Question

        definition.connect()
        for name, before, after in (("saved", pre_save, post_save), ("deleted", pre_delete, post_delete)):
            before.connect(services.area_question_before, sender=Question, dispatch_uid=f"area-before-{name}")
            after.connect(services.area_question_after, sender=Question, dispatch_uid=f"area-after-{name}")
