from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents and notifications"

    def ready(self):
        from hotline.escalation.subjects import register
        from incidents.notices.paging import ExerciseAcknowledgementSubject, FlightAcknowledgementSubject
        from incidents.paging import AcknowledgementSubject

        register(AcknowledgementSubject())
        register(ExerciseAcknowledgementSubject())
        register(FlightAcknowledgementSubject())
