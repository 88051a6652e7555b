from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "chiiki.talent"
    label = "talent"
    default_auto_field = "django.db.models.BigAutoField"
