"""The observability tests use the shop's simulated store and the microservice stand-in."""

from tests.integrations.conftest import microservice  # noqa: F401 - fixture
from tests.shop.conftest import sim, store  # noqa: F401 - fixtures
