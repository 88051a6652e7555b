from django.apps import AppConfig


class InfosafetyConfig(AppConfig):
    name = "chiiki.infosafety"
    label = "infosafety"
    default_auto_field = "django.db.models.BigAutoField"
