from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "hotline.escalation"
    label = "escalation"
    verbose_name = "Escalation and paging"
