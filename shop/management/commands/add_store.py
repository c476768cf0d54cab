"""Register a WooCommerce store from the shell."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from adolf.tls import normalize_pem
from shop.clients import config_for
from shop.models import Store
from shop.webhook_registration import RegistrationError, webhook_path, webhook_url
from shop.woocommerce.config import StoreConfigError

# A refused value is named by the option that gave it, not by the model's field.
OPTIONS = {
    "name": "--name",
    "slug": "--slug",
    "base_url": "--url",
    "api": "--api",
    "consumer_key": "--consumer-key",
    "consumer_secret": "--consumer-secret",
    "rest_consumer_key": "--rest-consumer-key",
    "rest_consumer_secret": "--rest-consumer-secret",
    "poll_interval": "--interval",
    "allow_http": "--allow-http",
    "query_string_auth": "--query-string-auth",
    "ca_certificate": "--ca-file",
    "webhook_secret": "--webhook-secret",
}


class Command(BaseCommand):
    help = "Add a WooCommerce store to poll; prints its id and slug."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--url", required=True, help="the store's address, e.g. https://shop.example.com")
        parser.add_argument("--consumer-key", required=True, help="ck_… (or the WordPress user for mcp-adapter)")
        parser.add_argument("--consumer-secret", required=True, help="cs_… (or the application password)")
        parser.add_argument("--api", choices=Store.Api.values, default=Store.Api.REST)
        parser.add_argument(
            "--rest-consumer-key",
            default="",
            help="mcp-adapter only, optional: a REST key (ck_…) of the store, for refunds, payment dates, webhooks",
        )
        parser.add_argument("--rest-consumer-secret", default="", help="its secret (cs_…)")
        parser.add_argument("--interval", type=int, help="polling interval in seconds (default SHOP_POLLING_INTERVAL)")
        parser.add_argument("--slug", help="default: made from the name")
        parser.add_argument("--allow-http", action="store_true", help="allow a plain-http store (OAuth 1.0a is used)")
        parser.add_argument("--query-string-auth", action="store_true", help="send the keys in the query string")
        parser.add_argument(
            "--ca-file",
            help="PEM file of the CA that signed the store's certificate (or its own self-signed one), "
            "trusted for this store only",
        )
        parser.add_argument(
            "--webhook-secret",
            help="the secret of webhooks made by hand in WooCommerce (Settings → Advanced → Webhooks)",
        )

    def handle(self, *args, **options) -> None:
        if (options["rest_consumer_key"] or options["rest_consumer_secret"]) and options["api"] != "mcp-adapter":
            raise CommandError("--rest-consumer-key/--rest-consumer-secret are for --api mcp-adapter stores only")
        ca_certificate = ""
        if options["ca_file"]:
            try:
                with open(options["ca_file"], encoding="utf-8") as file:
                    ca_certificate = normalize_pem(file.read())
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read --ca-file {options['ca_file']}: {exc}") from None
        store = Store(
            name=options["name"],
            slug=options["slug"] or slugify(options["name"]),
            base_url=options["url"],
            api=options["api"],
            consumer_key=options["consumer_key"],
            consumer_secret=options["consumer_secret"],
            rest_consumer_key=options["rest_consumer_key"],
            rest_consumer_secret=options["rest_consumer_secret"],
            allow_http=options["allow_http"],
            query_string_auth=options["query_string_auth"],
            ca_certificate=ca_certificate,
            webhook_secret=options["webhook_secret"] or "",
        )
        if options["interval"] is not None:
            store.poll_interval = options["interval"]
        try:
            config_for(store)
            store.full_clean()
        except StoreConfigError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{OPTIONS.get(field, field)}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            )
            if "slug" in exc.message_dict:
                problems += " (the slug is made from --name: give another with --slug)"
            raise CommandError(problems) from None
        with transaction.atomic():
            store.save()
        self.stdout.write(f"Added store id={store.pk} slug={store.slug} (polled every {store.poll_interval} s)")
        try:
            self.stdout.write(f"Webhook URL: {webhook_url(store)}")
        except RegistrationError:
            self.stdout.write(f"Webhook URL: <PUBLIC_BASE_URL>{webhook_path(store)} (set PUBLIC_BASE_URL)")
