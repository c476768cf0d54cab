"""Create the local admin account of `make run` once, and say how to log in."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """`manage.py ensure_local_admin`: a local superuser with a random password kept under DATA_DIR (DEBUG only)."""

    help = "Create a local superuser with a random password (development only) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username: str, url: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin is for local development; with DEBUG off use createsuperuser.")
        password_file = settings.DATA_DIR / "local-admin-password.txt"
        users = get_user_model()
        if not users.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            users.objects.create_superuser(username=username, email="", password=password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        if password_file.exists():
            password = password_file.read_text().strip()
            self.stdout.write(f"Log in at {url} as {username} / {password}")
        else:
            self.stdout.write(
                f"Log in at {url} as {username} (password set earlier; "
                f"reset it with `manage.py changepassword {username}`)"
            )
