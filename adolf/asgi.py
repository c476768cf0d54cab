import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adolf.settings")

application = get_asgi_application()

# The web server runs no Django system checks: settings that contradict each other stop it here.
from adolf.checks import refuse_contradictions  # noqa: E402 - after Django is set up

refuse_contradictions("web")
