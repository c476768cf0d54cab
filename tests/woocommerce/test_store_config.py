"""A store's settings are checked up front, and pick the authentication WooCommerce needs."""

from __future__ import annotations

import pytest

from shop.woocommerce import StoreConfig, StoreConfigError, build_client
from shop.woocommerce.mcp import McpClient
from shop.woocommerce.rest import RestClient

pytestmark = pytest.mark.usefixtures("in_english")


def config(**overrides):
    values = {"base_url": "https://shop.example.com/", "key": "ck_k", "secret": "cs_s"}
    return StoreConfig(**(values | overrides))


def test_https_uses_basic_auth_or_the_query_string_and_http_uses_oauth1():
    assert config().rest_auth == "basic"
    assert config(query_string_auth=True).rest_auth == "query"
    assert config(base_url="http://shop.example.com", allow_http=True).rest_auth == "oauth1"


def test_plain_http_is_refused_unless_allowed():
    with pytest.raises(StoreConfigError, match="plain http"):
        config(base_url="http://shop.example.com")


@pytest.mark.parametrize("api", ["mcp-legacy", "mcp-adapter"])
def test_an_mcp_store_over_plain_http_is_refused_unless_it_is_on_this_machine(api):
    with pytest.raises(StoreConfigError, match="MCP would send its credentials in clear"):
        config(base_url="http://shop.example.com", allow_http=True, api=api)

    assert config(base_url="http://127.0.0.1:8100", allow_http=True, api=api).api == api
    assert config(base_url="http://localhost:8100", allow_http=True, api=api).api == api
    assert config(base_url="http://shop.example.com", allow_http=True).api == "rest"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_url": "shop.example.com"}, "must look like https://"),
        ({"base_url": "https://shop.example.com/?x=1"}, "query string"),
        ({"api": "soap"}, "not one of rest, mcp-legacy, mcp-adapter"),
        ({"secret": ""}, "key and the secret are required"),
        ({"per_page": 101}, "between 1 and 100"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(StoreConfigError, match=message):
        config(**overrides)


def test_the_name_defaults_to_the_host_and_secrets_stay_out_of_repr():
    store = config(secret="cs_top_secret", key="ck_also_secret")
    assert store.name == "shop.example.com"
    assert store.base_url == "https://shop.example.com"
    assert "cs_top_secret" not in repr(store)
    assert "ck_also_secret" not in repr(store)


@pytest.mark.parametrize(("api", "kind"), [("rest", RestClient), ("mcp-legacy", McpClient), ("mcp-adapter", McpClient)])
def test_the_api_kind_picks_the_client(api, kind):
    with build_client(config(api=api)) as client:
        assert isinstance(client, kind)
