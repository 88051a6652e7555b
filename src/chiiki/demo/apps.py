from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo municipality's loader (`chiiki demo load`); it has no models of its own."""

    name = "chiiki.demo"
    label = "demo"
    verbose_name = "Chiiki demo"
