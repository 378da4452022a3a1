from django.apps import AppConfig


class ReachabilityConfig(AppConfig):
    name = "hotline.reachability"
    label = "reachability"
    verbose_name = "Reachability checks"

    def ready(self):
        from hotline.escalation.subjects import register
        from hotline.reachability.subjects import CheckResponseSubject

        register(CheckResponseSubject())
