"""The central service has the seed's microservice tasks, with its names, arguments and queues."""

from __future__ import annotations

import inspect

import pytest

from adolf.celery import app as celery_app
from integrations import registry
from integrations.tasks import auth_tasks, cart_tasks, order_tasks, product_tasks

SEED_TASKS = {
    "auth.send_verification_email": (auth_tasks, ["user_id", "email", "verification_link"]),
    "auth.cleanup_expired_tokens": (auth_tasks, ["days"]),
    "cart.merge_carts": (cart_tasks, ["anonymous_cart_id", "user_cart_id"]),
    "order.send_order_confirmation": (order_tasks, ["order_id", "email"]),
    "order.update_order_status": (order_tasks, ["order_id", "new_status", "notify"]),
    "product.process_images": (product_tasks, ["product_id", "image_urls"]),
    "product.update_stock": (product_tasks, ["product_id", "quantity_delta", "reason"]),
}


def test_the_registry_holds_exactly_the_seeds_microservice_tasks():
    assert set(registry.service_tasks()) == set(SEED_TASKS)


@pytest.mark.parametrize("name", sorted(SEED_TASKS))
def test_each_task_lives_in_its_services_module_with_the_seeds_parameters(name):
    module, parameters = SEED_TASKS[name]
    task = registry.get_task(name)
    assert task.run.__module__ == module.__name__
    assert list(inspect.signature(task.run).parameters) == parameters


def test_update_stock_gives_reason_the_seeds_default():
    parameters = inspect.signature(registry.get_task("product.update_stock").run).parameters
    assert parameters["reason"].default == "order"


@pytest.mark.parametrize("name", sorted(SEED_TASKS))
def test_each_task_is_routed_to_the_queue_of_its_service(name):
    assert celery_app.amqp.router.route({}, name)["queue"].name == name.split(".")[0]
