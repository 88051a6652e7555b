from django.apps import AppConfig


class SideJobConfig(AppConfig):
    """Side-job contracts across employers, the hours worked under them and the 管理モデル; builds on talent."""

    name = "chiiki.sidejob"
    label = "sidejob"
    verbose_name = "Chiiki side jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chiiki.sidejob import receivers

        receivers.connect()
