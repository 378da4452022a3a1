from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "hotline.idempotency"
    label = "idempotency"
    verbose_name = "Idempotent API requests"
