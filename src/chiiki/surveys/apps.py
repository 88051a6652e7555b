from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "chiiki.surveys"
    label = "surveys"
    default_auto_field = "django.db.models.BigAutoField"
