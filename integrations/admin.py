"""The operator's side: services (endpoints, tokens) and the tasks they submitted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Field, QuerySet, URLField
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from adolf.fields import validate_no_credentials
from integrations import periodic_admin  # noqa: F401 - replaces django-celery-beat's periodic task admin
from integrations.models import Service, TaskSubmission


def _https_by_default(db_field: Field, **kwargs: Any) -> forms.Field | None:
    # A bare host typed as the base URL means https (Django 6's default, chosen now).
    if isinstance(db_field, URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class ServiceForm(forms.ModelForm):
    """Edit a service; the callback token can be replaced or cleared but is never shown."""

    new_token = forms.CharField(
        label=_("callback token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Sent as 'Authorization: Bearer …' on callbacks. Leave empty to keep the current one."),
    )
    clear_token = forms.BooleanField(label=_("remove the callback token"), required=False)

    class Meta:
        model = Service
        fields = ["name", "base_url", "enabled", "timeout", "max_retries"]
        formfield_callback = _https_by_default

    def clean_base_url(self) -> str:
        """Refuse a base URL that carries a user name or password: the callback token is the credential."""
        url = self.cleaned_data["base_url"]
        validate_no_credentials(url)  # the callback token is the credential, stored encrypted
        return url

    def save(self, commit: bool = True) -> Service:
        """Save the service, replacing its callback token when a new one was typed, or clearing it when asked."""
        service = super().save(commit=False)
        if self.cleaned_data.get("clear_token"):
            service.token = ""
        elif self.cleaned_data.get("new_token"):
            service.token = self.cleaned_data["new_token"]
        if commit:
            service.save()
        return service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """Services in the admin: callback settings, the submission token's hint, and an action to issue new tokens."""

    form = ServiceForm
    list_display = ("name", "base_url", "enabled", "timeout", "max_retries", "callback_token", "api_token_hint")
    list_filter = ("enabled",)
    search_fields = ("name", "base_url")
    readonly_fields = ("api_token_hint", "api_token_issued_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "base_url", "enabled")}),
        (_("Callbacks"), {"fields": ("new_token", "clear_token", "timeout", "max_retries")}),
        (_("Task submission API"), {"fields": ("api_token_hint", "api_token_issued_at")}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )
    actions = ("issue_api_tokens",)

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> forms.Field | None:
        """Give URL fields https as the scheme assumed when none is typed."""
        if isinstance(db_field, URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(boolean=True, description=_("callback token"))
    def callback_token(self, service: Service) -> bool:
        """Whether the service has a callback token (the token itself is never shown)."""
        return bool(service.token)

    @admin.action(description=_("Issue a new submission token (the old one stops working)"))
    def issue_api_tokens(self, request: HttpRequest, queryset: QuerySet[Service]) -> TemplateResponse:
        """Issue a new submission API token for each selected service and show each once; only hashes are stored."""
        # Shown once on this page and stored only as a hash: nothing can show it again.
        issued = [(service, service.issue_api_token()) for service in queryset]
        return TemplateResponse(
            request,
            "admin/integrations/service/issued_tokens.html",
            {**self.admin_site.each_context(request), "title": _("New submission tokens"), "issued": issued,
             "opts": self.model._meta},
        )  # fmt: skip


@admin.register(TaskSubmission)
class TaskSubmissionAdmin(admin.ModelAdmin):
    """What the services submitted over the API; read-only, the record of what was asked."""

    list_display = ("task_id", "task_name", "service", "created_at", "published_at")
    list_filter = ("service", "task_name")
    search_fields = ("task_id", "task_name")
    date_hierarchy = "created_at"
    list_select_related = ("service",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TaskSubmission | None = None) -> bool:
        return False
