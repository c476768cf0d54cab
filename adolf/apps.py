from django.apps import AppConfig


class AdolfConfig(AppConfig):
    """The project package as an app: its checks, its translations (adolf/locale) and its commands."""

    name = "adolf"
    verbose_name = "ADOLF"

    def ready(self) -> None:
        from adolf import checks  # noqa: F401  (registers the rules between Celery's settings)
