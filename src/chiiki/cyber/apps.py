from django.apps import AppConfig


class CyberConfig(AppConfig):
    name = "chiiki.cyber"
    label = "cyber"
    default_auto_field = "django.db.models.BigAutoField"
