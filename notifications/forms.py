"""The channel form: one field per transport setting, secrets write-only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import channels
from notifications.models import Channel, ChannelKind
from notifications.transports import TRANSPORTS, Setting


def field_name(kind: str, setting: Setting) -> str:
    return f"{kind}_{setting.name}"


def _list_field(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=capfirst(label), required=False, help_text=help_text, widget=forms.TextInput(attrs={"size": 60})
    )


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


class ChannelForm(forms.ModelForm):
    """Edit a channel; a secret left blank keeps its stored value, which is never sent to the browser."""

    event_types_text = _list_field(_("event types"), _('Comma-separated; empty: all. "shop.order.*" matches a prefix.'))
    source_modules_text = _list_field(_("source modules"), _("Comma-separated, e.g. shop, auth; empty: all."))
    stores_text = _list_field(_("stores"), _("Comma-separated store slugs; empty: all stores."))
    min_totals_text = _list_field(
        _("minimum order total"), _("Per currency, e.g. RUB 1000, USD 20; orders in other currencies pass.")
    )
    payment_methods_text = _list_field(
        _("payment methods"), _("Comma-separated ids or titles, e.g. bacs, cod; empty: every payment method.")
    )

    class Meta:
        model = Channel
        fields = ["kind", "name", "enabled", "min_level", "language", "customer_contact", "skip_free_orders"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False
        stored = self.instance.configuration if self.instance.pk else {}
        for kind, transport in TRANSPORTS.items():
            for setting in transport.settings:
                name = field_name(kind, setting)
                help_text = setting.help_text
                if setting.secret:
                    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "size": 60})
                    if self.instance.kind == kind and stored.get(setting.name):
                        help_text = _("Stored and hidden. Leave blank to keep it; type a new value to replace it.")
                elif setting.multiline:
                    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})
                else:
                    widget = forms.TextInput(attrs={"size": 60})
                self.fields[name] = forms.CharField(
                    label=capfirst(setting.label), required=False, help_text=help_text, widget=widget
                )
                if not setting.secret and self.instance.kind == kind and setting.name in stored:
                    value = stored[setting.name]
                    self.initial[name] = "\n".join(value) if isinstance(value, list) else str(value)
        for rule in ("event_types", "source_modules", "stores", "payment_methods"):
            self.initial[f"{rule}_text"] = ", ".join(getattr(self.instance, rule) or [])
        self.initial["min_totals_text"] = ", ".join(
            f"{currency} {amount}" for currency, amount in (self.instance.min_totals or {}).items()
        )
        self.kept = channels.kept([self.instance.pk]).get(self.instance.pk, 0) if self.instance.pk else 0
        if self.kept:
            self.fields["kept"] = forms.ChoiceField(
                label=ngettext(
                    "%(count)d notification kept while disabled",
                    "%(count)d notifications kept while disabled",
                    self.kept,
                )
                % {"count": self.kept},
                choices=[(channels.SEND, _("Send them")), (channels.DROP, _("Drop them"))],
                widget=forms.RadioSelect,
                required=False,
                help_text=_("What to do with them when you enable the channel again."),
            )

    def clean_language(self) -> str:
        # Left out (a scripted post), it is the deployment's default language.
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE

    def clean_min_totals_text(self) -> dict[str, str]:
        """Read "RUB 1000, USD 20" into {"RUB": "1000", "USD": "20"}; name the part that is not one."""
        totals: dict[str, str] = {}
        for part in _split(self.cleaned_data.get("min_totals_text", "")):
            currency, _space, amount = part.partition(" ")
            try:
                value = Decimal(amount.strip().replace(",", "."))
            except InvalidOperation:
                value = None
            if len(currency) != 3 or not currency.isalpha() or value is None or not value.is_finite() or value < 0:
                raise ValidationError(
                    _("%(part)s is not a currency code and an amount, like RUB 1000."), params={"part": part}
                )
            totals[currency.upper()] = str(value)
        return totals

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.kept and cleaned.get("enabled") and not self.instance.enabled and not cleaned.get("kept"):
            self.add_error("kept", _("Choose whether to send or drop them before enabling the channel."))
        kind = cleaned.get("kind")
        if kind not in TRANSPORTS:
            return cleaned
        stored = self.instance.configuration if self.instance.pk and self.instance.kind == kind else {}
        raw: dict[str, str] = {}
        for setting in TRANSPORTS[kind].settings:
            value = (cleaned.get(field_name(kind, setting)) or "").strip()
            if not value and setting.secret and stored.get(setting.name):
                value = str(stored[setting.name])
            raw[setting.name] = value
        try:
            self.cleaned_configuration = TRANSPORTS[kind].clean_configuration(raw)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                setting = next(s for s in TRANSPORTS[kind].settings if s.name == name)
                self.add_error(field_name(kind, setting), messages)
        return cleaned

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        channel.configuration = self.cleaned_configuration
        channel.event_types = _split(self.cleaned_data.get("event_types_text", ""))
        channel.source_modules = _split(self.cleaned_data.get("source_modules_text", ""))
        channel.stores = _split(self.cleaned_data.get("stores_text", ""))
        channel.payment_methods = _split(self.cleaned_data.get("payment_methods_text", ""))
        channel.min_totals = self.cleaned_data.get("min_totals_text") or {}
        if commit:
            channel.save()
        return channel


def kind_fieldsets() -> list[tuple[Any, dict[str, Any]]]:
    """Return one admin fieldset per kind, naming which kind it configures."""
    return [
        (
            ChannelKind(kind).label,
            {
                "fields": [field_name(kind, setting) for setting in transport.settings],
                "classes": ["channel-kind", f"channel-kind-{kind}"],
                "description": _("Only for channels of this kind."),
            },
        )
        for kind, transport in TRANSPORTS.items()
    ]
