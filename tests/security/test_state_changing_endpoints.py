"""Every endpoint is CSRF-protected, or authenticated by a signature or a token that it checks."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The only views without CSRF protection, and what authenticates a request to them instead.
CSRF_EXEMPT = {
    "shop:webhook": "the HMAC signature of the body (X-WC-Webhook-Signature)",
    "integrations:submit-task": "the service's bearer token",
}


def walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"{prefix}{entry.pattern}"
            yield name, entry.callback


def test_only_signature_or_token_authenticated_views_are_csrf_exempt():
    exempt = {name for name, view in walk(get_resolver()) if getattr(view, "csrf_exempt", False)}

    assert exempt == set(CSRF_EXEMPT)


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/shop/webhooks/{token}/", b'{"id": 1}', "application/json"),
        ("/api/tasks/", b'{"task": "auth.send_email", "args": []}', "application/json"),
    ],
)
def test_each_exempt_endpoint_refuses_a_request_without_its_credentials(client, path, body, content_type):
    from shop.models import Store

    store = Store.objects.create(
        name="S", slug="s", base_url="https://shop.example", consumer_key="ck", consumer_secret="cs",
        webhook_secret="whsec",
    )  # fmt: skip
    response = client.generic("POST", path.format(token=store.webhook_token), body, content_type=content_type)

    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/notifications/read-all/", "/admin/shop/store/add/", "/admin/logout/", "/i18n/setlang/", "/admin/login/"],
)
def test_a_cookie_authenticated_post_without_a_csrf_token_is_refused(path):
    user = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    response = browser.post(path, {"name": "x"})

    assert response.status_code == 403
