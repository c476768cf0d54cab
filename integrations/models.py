"""The microservices ADOLF runs tasks for, and the tasks they submitted over the API."""

from __future__ import annotations

import hashlib
import secrets

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adolf.fields import EncryptedTextField

SERVICE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
# The submission token's visible prefix tells a leaked string's origin at a glance.
API_TOKEN_PREFIX = "adolf_"  # noqa: S105 - a public marker, not a secret


def hash_api_token(token: str) -> str:
    """Return the stored form of a submission token.

    A token is 256 random bits, so one SHA-256 is enough: nobody can brute-force it back.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class Service(models.Model):
    """A microservice: where ADOLF calls it back, and how it proves who it is to ADOLF."""

    name = models.CharField(
        _("name"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(SERVICE_NAME_PATTERN, _("Lower-case letters, digits and _; start with a letter."))],
        help_text=_("The prefix of the service's task names: auth, cart, order, product, …"),
    )
    base_url = models.URLField(
        _("base URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("ADOLF calls POST {base URL}/internal/tasks/{task name} for every task."),
    )
    token = EncryptedTextField(
        _("callback token"),
        blank=True,
        help_text=_("Sent as 'Authorization: Bearer …' on every callback. Stored encrypted."),
    )
    timeout = models.FloatField(
        _("timeout (s)"),
        default=10.0,
        validators=[MinValueValidator(0.1), MaxValueValidator(120.0)],
        help_text=_("Seconds a callback may take before it counts as failed and is retried."),
    )
    max_retries = models.PositiveSmallIntegerField(
        _("max retries"),
        default=5,
        validators=[MaxValueValidator(10)],
        help_text=_("Retries of a callback that timed out or got 5xx/429, with growing pauses (at most 5 min)."),
    )
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("A disabled service gets no callbacks and may not submit tasks.")
    )
    api_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    api_token_hint = models.CharField(_("submission token"), max_length=16, blank=True, editable=False)
    api_token_issued_at = models.DateTimeField(_("submission token issued"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def issue_api_token(self) -> str:
        """Replace the submission token with a new one and return it; only its hash is kept."""
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.api_token_hash = hash_api_token(token)
        self.api_token_hint = f"{token[:10]}…"
        self.api_token_issued_at = timezone.now()
        self.save(update_fields=["api_token_hash", "api_token_hint", "api_token_issued_at", "updated_at"])
        return token

    def owns_task(self, task_name: str) -> bool:
        """Whether `task_name` is in this service's namespace ("<service>.<task>")."""
        return task_name.startswith(f"{self.name}.")


class TaskSubmission(models.Model):
    """A task a service submitted over the API: written before it is published, once per task id."""

    task_id = models.CharField(_("task id"), max_length=200, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="submissions")
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    options = models.JSONField(
        default=dict, blank=True, help_text=_("Publishing options: countdown, expires, priority.")
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    published_at = models.DateTimeField(_("queued"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task submission")
        verbose_name_plural = _("task submissions")
        indexes = [models.Index(fields=["service", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.task_name} [{self.task_id}]"

    def same_request(self, task_name: str, args: list, kwargs: dict, options: dict) -> bool:
        """Whether a retried submission asks for exactly what this one did (same task, args, kwargs and options)."""
        return (self.task_name, self.args, self.kwargs, self.options) == (task_name, args, kwargs, options)
