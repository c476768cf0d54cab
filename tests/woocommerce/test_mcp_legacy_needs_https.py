"""WooCommerce's own MCP endpoint answers only over https, and a store reached over plain http is told so.

WooCommerce 10.3 and later refuse every MCP request that did not arrive over TLS with
403 `insecure_transport` (unless the store opts in with the filter
`woocommerce_mcp_allow_insecure_transport`) before they look at the key
(WooCommerceRestTransport::validate_request): the key is not what is wrong.
"""

from __future__ import annotations

import pytest

from shop.woocommerce import AuthenticationError, build_client
from tests.support.simulated_store import BEFORE_ALL

pytestmark = pytest.mark.usefixtures("in_english")


def test_a_plain_http_request_is_refused_as_woocommerce_refuses_it_before_the_key(plain_http_server):
    config = plain_http_server.config("mcp-legacy", secret="cs_bad")

    with build_client(config) as client, pytest.raises(AuthenticationError) as caught:
        list(client.iter_modified_orders(BEFORE_ALL))

    assert (caught.value.status, caught.value.code) == (403, "insecure_transport")
    assert caught.value.message.startswith(
        "authentication refused (HTTP 403 insecure_transport: HTTPS is required for MCP requests.): "
        "WooCommerce's MCP endpoint answers only over https"
    )


def test_the_connection_test_says_to_use_https_not_that_the_key_is_wrong(plain_http_server):
    with build_client(plain_http_server.config("mcp-legacy")) as client:
        report = client.test_connection()

    assert [(finding.name, finding.ok) for finding in report.findings] == [("https", False)]
    assert report.problems == [
        "WooCommerce's MCP endpoint answers only over https: give the store its https address (over plain http "
        "WooCommerce refuses it unless the store allows that with the filter woocommerce_mcp_allow_insecure_transport) "
        "(HTTP 403 insecure_transport)"
    ]
