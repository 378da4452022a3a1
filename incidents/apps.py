from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self):
        from hotline.escalation.subjects import register
        from incidents.subjects import AcknowledgementSubject

        register(AcknowledgementSubject())
