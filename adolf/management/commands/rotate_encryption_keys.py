"""Re-encrypt every stored secret with the first FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from adolf.fields import EncryptedJSONField, EncryptedTextField, undecryptable


class Command(BaseCommand):
    """`manage.py rotate_encryption_keys`: re-encrypt every encrypted field with the first key, so older keys can go."""

    help = (
        "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEY, so the "
        "old keys after it can then be removed."
    )

    def handle(self, *args, **options) -> None:
        total = 0
        unreadable: list[str] = []
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField | EncryptedJSONField)]
            if not fields:
                continue
            with transaction.atomic():
                for row in model._default_manager.select_for_update().only("pk", *fields):
                    # Reading decrypts with any key; writing encrypts with the first. A value
                    # no key decrypts is written back as it was (adolf.fields.UndecryptableText).
                    values = {f: getattr(row, f) for f in fields}
                    unreadable += [f"{model._meta.label} #{row.pk}: {f}" for f, v in values.items() if undecryptable(v)]
                    model._default_manager.filter(pk=row.pk).update(**values)
                    total += 1
            self.stdout.write(f"{model._meta.label}: {', '.join(fields)}")
        if unreadable:
            # Removing the old keys now would lose these for good: say so, and fail.
            raise CommandError(
                f"{len(unreadable)} value(s) cannot be decrypted with any key of FIELD_ENCRYPTION_KEY and were left "
                "as they were; keep every old key listed until they are entered again:\n  " + "\n  ".join(unreadable)
            )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} row(s)."))
