from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """The WooCommerce store simulator: the demo store of `make run`, and the store of tests and benchmarks.

    It has no models. Product code never imports it (tests/test_import_graph.py guards that).
    """

    name = "simulator"
    verbose_name = "WooCommerce store simulator"
