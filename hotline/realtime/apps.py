from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "hotline.realtime"
    label = "realtime"
    verbose_name = "Real-time delivery"
