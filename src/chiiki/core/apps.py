from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chiiki.core"
    label = "core"
    verbose_name = "Chiiki core"
    default_auto_field = "django.db.models.BigAutoField"
