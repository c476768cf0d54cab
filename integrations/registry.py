"""The tasks the central service really has, and whether given arguments fit one of them.

A worker discards a message naming a task it does not know, so every way in (the API,
the admin) checks names and arguments here before anything is published.
"""

from __future__ import annotations

import inspect
import types
import typing
from functools import cache
from typing import Any

from celery import Task

from adolf.celery import SERVICE_QUEUES
from adolf.celery import app as celery_app


class UnknownTask(LookupError):
    """No task of that name is registered."""


class ArgumentsMismatch(ValueError):
    """The arguments do not fit the task's signature."""


@cache
def _import_task_modules() -> None:
    # The web process imports task modules lazily; the worker imports them all at start.
    celery_app.loader.import_default_modules()


def known_tasks() -> dict[str, Task]:
    """Return every task a worker of this project runs, by name (Celery's own included)."""
    _import_task_modules()
    return dict(celery_app.tasks)


def service_tasks() -> dict[str, Task]:
    """Return the microservice tasks (`auth.*`, `cart.*`, …), by name."""
    prefixes = tuple(f"{service}." for service in SERVICE_QUEUES)
    return {name: task for name, task in known_tasks().items() if name.startswith(prefixes)}


def get_task(name: str) -> Task:
    """Return the registered task called `name`, or raise UnknownTask."""
    task = known_tasks().get(name)
    if task is None:
        raise UnknownTask(f"No task named {name!r} is registered in the central task service.")
    return task


def check_arguments(task: Task, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Raise ArgumentsMismatch unless args and kwargs bind to the task's parameters with the right JSON types."""
    signature = inspect.signature(task.run, eval_str=True)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise ArgumentsMismatch(f"{task.name}{_plain(signature)}: {exc}") from None
    for name, value in bound.arguments.items():
        annotation = signature.parameters[name].annotation
        if not _fits(value, annotation):
            raise ArgumentsMismatch(
                f"{task.name}{_plain(signature)}: argument {name!r} must be {_type_name(annotation)}, "
                f"not {type(value).__name__} ({value!r:.60})"
            )


def _plain(signature: inspect.Signature) -> str:
    return str(signature.replace(return_annotation=inspect.Signature.empty))


def _fits(value: Any, annotation: Any) -> bool:
    """Tell whether a JSON value matches a simple annotation (unknown annotations always fit)."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, member) for member in typing.get_args(annotation))
    if annotation is None or annotation is type(None):
        return value is None
    if origin is not None:
        if not isinstance(value, origin):
            return False
        item_types = typing.get_args(annotation)
        if origin is list and item_types:
            return all(_fits(item, item_types[0]) for item in value)
        return True
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def _type_name(annotation: Any) -> str:
    if typing.get_origin(annotation) is None and hasattr(annotation, "__name__"):
        return annotation.__name__
    return str(annotation)
