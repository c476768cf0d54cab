from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The operations views; each domain app adds its part through operations.registry."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from operations import panels  # noqa: F401  (registers the broker's dashboard panel: queues, workers)
