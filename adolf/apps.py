from django.apps import AppConfig


class AdolfConfig(AppConfig):
    name = "adolf"
    verbose_name = "ADOLF"

    def ready(self) -> None:
        from adolf import checks  # noqa: F401  (registers the rules between Celery's settings)
