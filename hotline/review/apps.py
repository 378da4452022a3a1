from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "hotline.review"
    label = "review"
    verbose_name = "Commission review"
