"""Stores, what is known of their orders, the order-event outbox, and the poll log."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from adolf.certificates import CertificateFileError, read_ca_certificates
from adolf.fields import EncryptedTextField
from shop import cadence, statuses, texts
from shop.rules import DEFAULT_EVENT_TYPES, EVENT_TYPES, NOTES_EVIDENCE, REFUNDS_EVIDENCE
from shop.woocommerce.orders import MAX_CURRENCY, MAX_NAME, MAX_NUMBER, MAX_STATUS


def default_event_types() -> list[str]:
    return list(DEFAULT_EVENT_TYPES)


def default_poll_interval() -> int:
    return settings.SHOP_POLLING_INTERVAL


def validate_ca_certificate(value: str) -> None:
    """Refuse a CA certificate that cannot work, saying why (adolf.certificates.read_ca_certificates)."""
    if value and value.strip():
        try:
            read_ca_certificates(value)
        except CertificateFileError as exc:
            raise ValidationError(str(exc), code="invalid_ca_certificate") from None


def new_webhook_token() -> str:
    """Return the unguessable path segment of a store's webhook URL."""
    return secrets.token_urlsafe(24)


class Store(models.Model):
    class Api(models.TextChoices):
        REST = "rest", _("REST API v3")
        MCP_LEGACY = "mcp-legacy", _("MCP, WooCommerce's own endpoint (WooCommerce 10.3.6 and later)")
        MCP_ADAPTER = "mcp-adapter", _("MCP adapter (WooCommerce 10.9 and later)")

    class OrderStorage(models.TextChoices):
        # Where the store keeps its orders decides the URL of an order in its admin.
        HPOS = "hpos", _("High-performance order storage (WooCommerce 8.2+ default)")
        POSTS = "posts", _("WordPress posts (legacy)")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    base_url = models.URLField(_("store URL"), help_text=_("The shop's address, e.g. https://shop.example.com"))
    api = models.CharField(_("API"), max_length=20, choices=Api.choices, default=Api.REST)
    consumer_key = EncryptedTextField(
        _("consumer key / user"), help_text=_("REST consumer key (ck_…), or the WordPress user for the MCP adapter.")
    )
    consumer_secret = EncryptedTextField(
        _("consumer secret / application password"),
        help_text=_("REST consumer secret (cs_…), or the application password for the MCP adapter."),
    )
    # REST keys beside an MCP adapter store's application password: its thin orders lack
    # refunds, payment dates and customers, which REST fills in (shop.woocommerce.mcp).
    rest_consumer_key = EncryptedTextField(
        _("REST consumer key"),
        blank=True,
        help_text=_("MCP adapter stores only, optional: a REST key (ck_…) of the same store."),
    )
    rest_consumer_secret = EncryptedTextField(_("REST consumer secret"), blank=True)
    query_string_auth = models.BooleanField(
        _("keys in the query string"),
        default=False,
        help_text=_("For hosts that strip the Authorization header."),
    )
    allow_http = models.BooleanField(
        _("allow plain http"),
        default=False,
        help_text=_(
            "Only for stores without https: REST requests are then signed with OAuth 1.0a. MCP stores need https "
            "(their credentials would travel in clear), except a store on this machine."
        ),
    )
    ca_certificate = models.TextField(
        _("CA certificate"),
        blank=True,
        validators=[validate_ca_certificate],
        help_text=_(
            "For a store whose certificate no public CA signed (a staging store, a company CA): the PEM "
            "of its CA, or of its own self-signed certificate. Trusted for this store only."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    poll_interval = models.PositiveIntegerField(
        _("polling interval, seconds"),
        default=default_poll_interval,
        validators=[MinValueValidator(10), MaxValueValidator(86400)],
    )
    first_poll_lookback = models.PositiveIntegerField(
        _("first poll looks back, minutes"),
        default=60,
        validators=[MaxValueValidator(60 * 24 * 30)],
        help_text=_("The first poll notifies only of orders changed this long before it."),
    )
    overlap = models.PositiveIntegerField(
        _("overlap, seconds"),
        default=120,
        # At least a few seconds: `modified_after` is exclusive and has one-second resolution.
        validators=[MinValueValidator(10), MaxValueValidator(3600)],
        help_text=_("Each poll re-reads this much before the last one, for changes the store recorded late."),
    )
    event_types = models.JSONField(
        _("events to notify"), default=default_event_types, help_text=_("Which order events reach staff.")
    )
    status_meanings = models.JSONField(
        _("plugin statuses"),
        default=statuses.default_meanings,
        blank=True,
        help_text=_(
            "What order statuses added by plugins mean, one “status: meaning” a line; meanings: paid, "
            "awaiting-payment, cancelled, ignore. A status not listed counts as paid when the order has a payment date."
        ),
    )
    order_storage = models.CharField(
        _("order storage"),
        max_length=10,
        choices=OrderStorage.choices,
        default=OrderStorage.HPOS,
        help_text=_("WooCommerce → Settings → Advanced → Features; decides the links to orders in messages."),
    )
    # Defined by WOOCOMMERCE_MCP_URL / _CONSUMER_KEY / _CONSUMER_SECRET (shop.environment):
    # its address, API, keys and interval are not edited in the admin.
    managed_by_environment = models.BooleanField(_("managed by the environment"), default=False, editable=False)

    # State written by polling.
    cursor = models.DateTimeField(
        _("cursor"),
        null=True,
        blank=True,
        help_text=_("Every change up to this time, on the store's clock, is recorded."),
    )
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    outage_alerted = models.BooleanField(_("outage alert sent"), default=False)
    # An unfinished listing (a backlog longer than one poll may read): where it started, on
    # the store's clock, what it asked for, and the page cursor to read on from.
    listing_began = models.DateTimeField(null=True, blank=True, editable=False)
    listing_after = models.DateTimeField(null=True, blank=True, editable=False)
    listing_cursor = models.JSONField(null=True, blank=True, editable=False)
    # The store's clock as polls read it (shop.store_clock): its distance from ours, seconds,
    # when last read; and the last time it was seen set back, and by how much.
    clock_skew = models.FloatField(null=True, blank=True, editable=False)
    clock_went_back_at = models.DateTimeField(_("store clock last went back"), null=True, blank=True, editable=False)
    clock_went_back_by = models.PositiveIntegerField(
        _("store clock went back by, seconds"), null=True, blank=True, editable=False
    )
    # What polls learned of how the store serves its orders (shop.listing_health shows it).
    page_cap = models.PositiveIntegerField(_("serves at most, orders a page"), null=True, blank=True, editable=False)
    ignores_modified_after = models.DateTimeField(
        _("ignores modified_after since"), null=True, blank=True, editable=False
    )
    # {status: when last seen} of statuses no rule knows (not WooCommerce's, not mapped).
    unknown_statuses = models.JSONField(_("statuses no rule knows"), default=dict, blank=True, editable=False)
    # Kept by shop.set_aside and shop.evidence, so a store with none costs no query to check.
    orders_set_aside = models.PositiveIntegerField(_("orders set aside"), default=0, editable=False)
    evidence_waiting = models.PositiveIntegerField(_("orders waiting for evidence"), default=0, editable=False)
    # The poll lease (shop.locks): who may poll and write this store right now.
    poll_lease_token = models.CharField(max_length=32, blank=True, editable=False)
    poll_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    # Webhooks (shop.webhooks): the receiver's URL token, the secret WooCommerce signs with,
    # the webhooks registered on the store, and the receiver's health.
    webhook_token = models.CharField(
        _("webhook URL token"), max_length=64, unique=True, default=new_webhook_token, editable=False
    )
    webhook_secret = EncryptedTextField(_("webhook secret"), blank=True, editable=False)
    webhook_ids = models.JSONField(_("registered webhooks"), default=dict, blank=True, editable=False)
    webhook_last_delivery_at = models.DateTimeField(_("last webhook delivery"), null=True, blank=True)
    webhook_deliveries = models.PositiveIntegerField(_("webhook deliveries"), default=0)
    webhook_signature_failures = models.PositiveIntegerField(_("webhook signature failures"), default=0)
    webhook_last_failure_at = models.DateTimeField(_("last signature failure"), null=True, blank=True)
    # The store's webhooks as last read back (shop.webhook_status): {"checked_at": ISO time,
    # "error": "", "webhooks": [{"id", "topic", "status", "delivery_url", "registered",
    # "points_here"}], "alerted": {webhook id: ISO time it was found disabled}}.
    webhook_check = models.JSONField(_("webhooks on the store"), default=dict, blank=True, editable=False)

    # The schedule (shop.cadence, shop.schedules): when the next poll is due. The dispatcher
    # moves it on as it enqueues each poll; a save moves it when the interval or the
    # enabled flag asks for an earlier poll.
    next_poll_at = models.DateTimeField(_("next poll due"), null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]
        indexes = [models.Index(fields=["next_poll_at"], name="store_next_poll", condition=models.Q(enabled=True))]

    def __str__(self) -> str:
        return self.name

    # Written only by polling, with conditional updates: a form or command saving the store
    # must not write back the stale values it loaded (a lease token above all).
    POLL_STATE_FIELDS = frozenset(
        {"cursor", "last_success_at", "last_error", "failing_since", "outage_alerted", "poll_lease_token",
         "poll_lease_until", "next_poll_at", "listing_began", "listing_after", "listing_cursor", "page_cap",
         "ignores_modified_after", "unknown_statuses", "orders_set_aside", "evidence_waiting", "clock_skew",
         "clock_went_back_at", "clock_went_back_by"}
    )  # fmt: skip
    # Written only by the webhook receiver and by (un)registering, with update(), likewise.
    WEBHOOK_STATE_FIELDS = frozenset(
        {"webhook_secret", "webhook_ids", "webhook_last_delivery_at", "webhook_deliveries",
         "webhook_signature_failures", "webhook_last_failure_at", "webhook_check"}
    )  # fmt: skip

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        if not adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in self.POLL_STATE_FIELDS
                and field.name not in self.WEBHOOK_STATE_FIELDS
            ]
        with transaction.atomic():
            previous = None
            if not adding:
                previous = Store.objects.filter(pk=self.pk).values("enabled", "poll_interval", "next_poll_at").first()
            super().save(*args, **kwargs)
            # The schedule is derived from the store on every save, in the same transaction.
            due = cadence.after_save(previous, enabled=self.enabled, interval=self.poll_interval, now=timezone.now())
            if due is not None:
                Store.objects.filter(pk=self.pk).update(next_poll_at=due)
                self.next_poll_at = due

    def order_admin_url(self, order_id: int) -> str:
        """Return the order's page in the store's wp-admin, as WooCommerce links it for the order storage."""
        if self.order_storage == self.OrderStorage.POSTS:
            return f"{self.base_url.rstrip('/')}/wp-admin/post.php?post={order_id}&action=edit"
        return f"{self.base_url.rstrip('/')}/wp-admin/admin.php?page=wc-orders&action=edit&id={order_id}"


class OrderState(models.Model):
    """The last known version of one order of one store."""

    # No index of its own: the (store, order_id) unique constraint leads with it.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="order_states", db_index=False)
    order_id = models.BigIntegerField(_("order id"))
    # Sizes shop.woocommerce.orders cleans every order to.
    number = models.CharField(_("number"), max_length=MAX_NUMBER)
    status = models.CharField(_("status"), max_length=MAX_STATUS)
    date_modified_gmt = models.DateTimeField(_("modified (store)"))
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=MAX_CURRENCY, blank=True)
    customer_name = models.CharField(_("customer"), max_length=MAX_NAME, blank=True)
    refunded_total = models.DecimalField(_("refunded"), max_digits=18, decimal_places=4, default=0)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("order state")
        verbose_name_plural = _("order states")
        constraints = [models.UniqueConstraint(fields=["store", "order_id"], name="order_state_unique_per_store")]
        indexes = [models.Index(fields=["last_seen"], name="order_state_last_seen")]

    def __str__(self) -> str:
        return f"{self.store_id}#{self.order_id} {self.status}"


class OrderEvent(models.Model):
    """One order event staff may be told of; an outbox row until it is published."""

    class Source(models.TextChoices):
        POLL = "poll", _("poll")
        WEBHOOK = "webhook", _("webhook")

    # No index of its own: order_event_by_order leads with it.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="events", db_index=False)
    order_id = models.BigIntegerField(_("order id"))
    order_number = models.CharField(_("order number"), max_length=64)
    event_type = models.CharField(_("event"), max_length=64)
    from_status = models.CharField(_("from"), max_length=40, blank=True)
    to_status = models.CharField(_("to"), max_length=40)
    occurred_at = models.DateTimeField(_("occurred (store)"))
    detected_at = models.DateTimeField(_("detected"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.POLL)
    snapshot = models.JSONField(_("order snapshot"), default=dict)
    notify = models.BooleanField(_("notify staff"), default=True)
    # Unique by a constraint, not unique=True, which would add a LIKE index on PostgreSQL that
    # only slows every insert.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["-detected_at"]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="order_event_dedupe_key")]
        indexes = [
            models.Index(fields=["store", "order_id", "-detected_at"], name="order_event_by_order"),
            models.Index(
                fields=["detected_at"],
                name="order_event_unpublished",
                condition=models.Q(published_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.order_number}"


class PollRun(models.Model):
    """One poll of one store: what it read, what it found, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        OK = "ok", _("ok")
        FAILED = "failed", _("failed")
        PARTIAL = "partial", _("partial (the next poll reads on)")
        SKIPPED = "skipped", _("skipped (another poll running)")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="poll_runs", db_index=False)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    trigger = models.CharField(_("trigger"), max_length=20, blank=True)
    # When the schedule wanted this poll (scheduled polls only): its start minus this is its lag.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    orders_seen = models.PositiveIntegerField(_("orders"), default=0)
    events_created = models.PositiveIntegerField(_("events"), default=0)
    error_type = models.CharField(_("error type"), max_length=64, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    cursor_before = models.DateTimeField(_("cursor before"), null=True, blank=True)
    cursor_after = models.DateTimeField(_("cursor after"), null=True, blank=True)
    orders_set_aside = models.PositiveIntegerField(_("orders set aside"), default=0)
    # [{"order_id": int | None, "reason": str}] of the orders it set aside (the first 20).
    set_aside = models.JSONField(_("set aside"), default=list, blank=True)
    # Not stored: orders still due for evidence when the poll ended (shop.tasks follows up on them).
    evidence_due = 0

    class Meta:
        verbose_name = _("poll run")
        verbose_name_plural = _("poll runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["store", "-started_at"], name="poll_run_by_store")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class SetAsideOrder(models.Model):
    """An order the store sent that could not be recorded, and why; the rest of its page was.

    Tried again whenever the store lists it again (it changed), or by the admin's Retry.
    An order whose id is unusable is keyed by a fingerprint of what the store sent.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="set_aside", db_index=False)
    order_id = models.BigIntegerField(_("order id"), null=True, blank=True)
    key = models.CharField(max_length=64, editable=False)
    reason = models.TextField(_("reason"))
    date_modified_gmt = models.DateTimeField(_("modified (store)"), null=True, blank=True)
    sample = models.TextField(_("what the store sent"), blank=True)
    # The earliest change it could have been news of when first set aside: once it can be
    # recorded, its events are judged against this, not the poll that finally reads it.
    window_start = models.DateTimeField(_("news since"))
    first_set_aside = models.DateTimeField(_("set aside"), auto_now_add=True)
    last_tried = models.DateTimeField(_("last tried"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)

    class Meta:
        verbose_name = _("order set aside")
        verbose_name_plural = _("orders set aside")
        ordering = ["-last_tried"]
        constraints = [models.UniqueConstraint(fields=["store", "key"], name="set_aside_once_per_store")]

    def __str__(self) -> str:
        return f"{self.store_id}#{self.order_id or '?'}: {self.reason[:60]}"


class AwaitingEvidence(models.Model):
    """An order never seen before whose change is news only if the store's records show it is recent.

    Its state is recorded already; these are the events it would raise, held until its
    refunds or notes are read (shop.evidence): recent → recorded and published, old → dropped.
    """

    class Kind(models.TextChoices):
        REFUNDS = REFUNDS_EVIDENCE, _("its refunds")
        NOTES = NOTES_EVIDENCE, _("its notes")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="awaiting_evidence", db_index=False)
    order_id = models.BigIntegerField(_("order id"))
    order_number = models.CharField(_("order number"), max_length=MAX_NUMBER)
    status = models.CharField(_("status"), max_length=MAX_STATUS)
    occurred_at = models.DateTimeField(_("modified (store)"))
    window_start = models.DateTimeField(_("news since"))
    source = models.CharField(_("source"), max_length=10)
    # [{"event_type", "from_status", "to_status", "occurrence", "evidence"}]
    events = models.JSONField(_("events"), default=list)
    snapshot = models.JSONField(_("order snapshot"), default=dict)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created = models.DateTimeField(_("waiting since"), auto_now_add=True)

    class Meta:
        verbose_name = _("order waiting for evidence")
        verbose_name_plural = _("orders waiting for evidence")
        ordering = ["next_attempt_at"]
        constraints = [models.UniqueConstraint(fields=["store", "order_id"], name="awaiting_evidence_once")]
        indexes = [models.Index(fields=["store", "next_attempt_at"], name="awaiting_evidence_due")]

    def __str__(self) -> str:
        return f"{self.store_id}#{self.order_id} {self.status}"


class MessageTemplate(models.Model):
    """The title and message staff read for one order event type in one language.

    Django template language, plain text (shop.texts.VARIABLES lists the variables). A
    template that does not render against the sample order is refused with the error.
    Without a row, the default text (shop.default_texts) is used.
    """

    event_type = models.CharField(_("event"), max_length=64, choices=list(EVENT_TYPES.items()))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=500)
    message = models.TextField(_("message"), max_length=5000)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event_type", "language"]
        constraints = [models.UniqueConstraint(fields=["event_type", "language"], name="one_template_per_language")]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ({self.language})"

    def clean(self) -> None:
        """Refuse a template that does not compile or render against the sample order, naming the error."""
        errors = {}
        for field in ("title", "message"):
            try:
                rendered = texts.check_template(getattr(self, field) or "", self.language or settings.LANGUAGE_CODE)
            except Exception as exc:  # a syntax error, an unknown filter, a filter that raises
                errors[field] = _("This template does not render: %(error)s") % {"error": exc}
                continue
            if field == "title" and not rendered.strip():
                # A title is a Telegram message's first line, an e-mail's subject, the inbox's link.
                errors[field] = _(
                    "This title is empty for the sample order: use variables every order has, like {{ number }}."
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def texts(cls, language: str) -> dict[str, tuple[str, str]]:
        """Return the staff's templates in `language`: {event type: (title, message)}; one query."""
        return {
            event_type: (title, message)
            for event_type, title, message in cls.objects.filter(language=language).values_list(
                "event_type", "title", "message"
            )
        }


class WebhookDelivery(models.Model):
    """One signed delivery a store sent: the inbox row written before the receiver answers.

    Processed from here (shop.inbox): at once by a task when the broker is up, by the
    sweeper when it was not; claimed with a conditional update, so a row is worked on by
    one worker at a time, and a batch of rows can be claimed together.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("webhook inbox", "pending")
        PROCESSING = "processing", pgettext_lazy("webhook inbox", "processing")
        DONE = "done", pgettext_lazy("webhook inbox", "done")
        FAILED = "failed", pgettext_lazy("webhook inbox", "failed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="webhook_inbox")
    order_id = models.BigIntegerField(_("order id"))
    topic = models.CharField(_("topic"), max_length=40)
    webhook_id = models.BigIntegerField(_("webhook id"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    events_created = models.PositiveIntegerField(_("events"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("received webhook")
        verbose_name_plural = _("received webhooks")
        ordering = ["-received_at"]
        indexes = [
            # What the sweeper looks for: rows not yet done, by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_inbox_open",
                condition=models.Q(status__in=["pending", "processing"]),
            ),
            models.Index(fields=["received_at"], name="webhook_inbox_received"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.topic} #{self.order_id} {self.status}"
