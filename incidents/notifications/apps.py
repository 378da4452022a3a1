from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "incidents.notifications"
    label = "notifications"
    verbose_name = "Exercise and drone-flight notifications"

    def ready(self):
        from hotline.escalation.subjects import register
        from incidents.notifications.subjects import ExerciseAcknowledgementSubject, FlightAcknowledgementSubject

        register(ExerciseAcknowledgementSubject())
        register(FlightAcknowledgementSubject())
