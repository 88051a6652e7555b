from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chiiki.core"
    label = "core"
    verbose_name = "Chiiki core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chiiki.core import checks  # noqa: F401 - registers the deploy checks
