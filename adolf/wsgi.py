import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adolf.settings")

application = get_wsgi_application()

# The web server runs no Django system checks: settings that contradict each other stop it here.
from adolf.checks import refuse_contradictions  # noqa: E402 - after Django is set up

refuse_contradictions("web")
