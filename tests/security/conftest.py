"""The security tests use the shop's simulated store."""

from tests.shop.conftest import sim, store  # noqa: F401 - fixtures
