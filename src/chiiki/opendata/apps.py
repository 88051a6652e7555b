from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "chiiki.opendata"
    label = "opendata"
    default_auto_field = "django.db.models.BigAutoField"
