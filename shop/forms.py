"""Admin forms of the shop: secrets are write-only, event rules are checkboxes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from adolf.tls import normalize_pem
from shop import statuses
from shop.clients import config_for
from shop.models import Store, validate_ca_certificate
from shop.rules import EVENT_TYPES
from shop.woocommerce.config import StoreConfigError

SECRET_FIELDS = ("consumer_key", "consumer_secret")
OPTIONAL_SECRET_FIELDS = ("rest_consumer_key", "rest_consumer_secret")


class StatusMeaningsField(forms.CharField):
    """A store's plugin statuses as text, one `status: meaning` a line (shop.statuses)."""

    widget = forms.Textarea(attrs={"rows": 8, "cols": 50, "spellcheck": "false"})

    def prepare_value(self, value):
        return statuses.format_meanings(value) if isinstance(value, dict) else value

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        try:
            return statuses.parse_meanings(value or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial or {})
        except forms.ValidationError:
            return True


class StoreForm(forms.ModelForm):
    base_url = forms.URLField(
        label=_("store URL"), assume_scheme="https", help_text=_("The shop's address, e.g. https://shop.example.com")
    )
    consumer_key = forms.CharField(
        label=_("consumer key / user"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    consumer_secret = forms.CharField(
        label=_("consumer secret / application password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    rest_consumer_key = forms.CharField(
        label=_("REST consumer key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "MCP adapter stores only, optional: a REST key (ck_…) of the same store. The adapter's orders "
            "lack refunds, payment dates and customers; with REST keys ADOLF reads them over REST."
        ),
    )
    rest_consumer_secret = forms.CharField(
        label=_("REST consumer secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    forget_rest_keys = forms.BooleanField(label=_("forget the REST keys"), required=False)
    event_types = forms.MultipleChoiceField(
        label=_("events to notify"),
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status_meanings = StatusMeaningsField(
        label=_("plugin statuses"),
        required=False,
        help_text=_(
            "What order statuses added by plugins mean, one “status: meaning” a line. Meanings: paid (entering it "
            "from an unpaid status is a new order), awaiting-payment, cancelled (entering it is a cancellation), "
            "ignore. A status not listed counts as paid when the order has a payment date."
        ),
    )

    class Meta:
        model = Store
        fields = [
            "name", "slug", "base_url", "enabled", "api", "consumer_key", "consumer_secret", "rest_consumer_key",
            "rest_consumer_secret", "query_string_auth", "allow_http", "ca_certificate", "poll_interval",
            "first_poll_lookback", "overlap", "event_types", "order_storage", "status_meanings",
        ]  # fmt: skip
        widgets = {
            "ca_certificate": forms.Textarea(
                attrs={"rows": 6, "cols": 70, "spellcheck": "false", "placeholder": "-----BEGIN CERTIFICATE-----"}
            )
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if "order_storage" in self.fields:
            self.fields["order_storage"].required = False
        for name in SECRET_FIELDS:
            field = self.fields[name]
            # A stored secret is never sent back to the browser; blank keeps it.
            field.required = not editing
            if editing:
                field.help_text = _("Stored encrypted and never shown. Leave blank to keep the current value.")
        if editing:
            self.fields["rest_consumer_secret"].help_text = _(
                "Stored encrypted and never shown. Leave both blank to keep the current keys."
            )
        else:
            del self.fields["forget_rest_keys"]

    def clean_status_meanings(self) -> dict[str, str]:
        # Left out (a scripted post), the store keeps its mapping rather than losing it.
        if self.add_prefix("status_meanings") not in self.data:
            return self.instance.status_meanings if self.instance.pk else statuses.default_meanings()
        return self.cleaned_data["status_meanings"]

    def clean_ca_certificate(self) -> str:
        # Refused here, on its own field, before the settings are checked together in clean().
        value = normalize_pem(self.cleaned_data.get("ca_certificate") or "")
        validate_ca_certificate(value)
        return value

    def clean_order_storage(self) -> str:
        # Left out (a scripted post), it is WooCommerce's default for stores since 8.2.
        return self.cleaned_data.get("order_storage") or Store.OrderStorage.HPOS

    def clean(self) -> dict:
        cleaned = super().clean()
        stored = Store.objects.get(pk=self.instance.pk) if self.instance.pk is not None else None
        for name in SECRET_FIELDS:
            if not cleaned.get(name) and stored is not None:
                cleaned[name] = getattr(stored, name)
        entered = [name for name in OPTIONAL_SECRET_FIELDS if cleaned.get(name)]
        if entered and cleaned.get("api") != Store.Api.MCP_ADAPTER:
            self.add_error(
                entered[0],
                _("Only MCP adapter stores take separate REST keys: the keys above are this store's REST keys."),
            )
        if cleaned.get("forget_rest_keys"):
            cleaned.update(dict.fromkeys(OPTIONAL_SECRET_FIELDS, ""))
        elif stored is not None and not any(cleaned.get(name) for name in OPTIONAL_SECRET_FIELDS):
            cleaned.update({name: getattr(stored, name) for name in OPTIONAL_SECRET_FIELDS})
        if not self.errors:
            # A field the form does not carry (read-only for an environment store) keeps its value.
            candidate = Store(
                **{
                    f: cleaned[f] if f in self.fields else getattr(self.instance, f)
                    for f in ("base_url", "api", "name", "query_string_auth", "allow_http", "ca_certificate")
                }
            )
            for name in (*SECRET_FIELDS, *OPTIONAL_SECRET_FIELDS):
                setattr(candidate, name, cleaned.get(name) or "")
            try:
                config_for(candidate)
            except StoreConfigError as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned
