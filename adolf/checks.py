"""Settings that contradict each other: Django system checks, and a refusal to start for every process.

`manage.py check` (and every manage.py command, runserver, migrate) runs the checks tagged
SETTINGS like any system check. gunicorn (adolf/wsgi.py), the Celery worker and beat
(adolf/signals.py) run no system checks, so they call `refuse_contradictions()` as they
start. Each app registers the rules about its own settings with the SETTINGS tag (the
shop's in shop/checks.py); this module holds Celery's.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

SETTINGS = "settings"


@checks.register(SETTINGS)
def check_task_limits(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The Celery time limits against each other and against Redis' visibility timeout.

    Redis hands a message that is not acknowledged within `visibility_timeout` to another
    worker (kombu's Redis transport; see the "Visibility timeout" caveat in Celery's Redis
    docs). Every task acks late, and one given a countdown or an eta is held unacknowledged
    until it runs, so a task may stay unacknowledged for its longest countdown plus the task
    time limit; past the timeout it runs twice (the microservice is called twice).
    """
    errors: list[checks.CheckMessage] = []
    soft, hard = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT
    if soft >= hard:
        errors.append(
            checks.Error(
                f"CELERY_TASK_SOFT_TIME_LIMIT={soft} is not below CELERY_TASK_TIME_LIMIT={hard}: "
                "a task would be killed before it is asked to stop.",
                hint="The rule: CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT.",
                id="adolf.E001",
            )
        )
    delays = {
        "TASK_MAX_DELAY_SECONDS": (
            settings.TASK_MAX_DELAY_SECONDS,
            "the longest countdown or eta a microservice may ask for (the producer client and the task API)",
        ),
        "TASK_RETRY_MAX_COUNTDOWN_SECONDS": (
            settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS,
            "the longest countdown of ADOLF's own retries (polls, callbacks, deliveries)",
        ),
    }
    name, (delay, meaning) = max(delays.items(), key=lambda item: item[1][0])
    error = visibility_error(name, delay, meaning, "adolf.E002")
    if error is not None:
        errors.append(error)
    return errors


def visibility_error(
    setting: str, value: int, meaning: str, error_id: str, *, held: int | None = None, term: str = ""
) -> checks.Error | None:
    """Return an error if a task held back by a setting can outlive the visibility timeout; None if it cannot.

    `value` is the setting's value, `held` the seconds it holds a task before it runs (the
    value itself unless given), `term` how that delay reads in the rule (by default "the
    longest countdown (<setting>)"). The rule: CELERY_VISIBILITY_TIMEOUT >=
    CELERY_TASK_TIME_LIMIT + held + VISIBILITY_MARGIN_SECONDS. Apps call this for the
    countdowns their own settings decide (shop.checks for the poll dispatcher).
    """
    visibility, hard = settings.CELERY_VISIBILITY_TIMEOUT, settings.CELERY_TASK_TIME_LIMIT
    margin = settings.VISIBILITY_MARGIN_SECONDS
    held = value if held is None else held
    term = term or f"the longest countdown ({setting})"
    needed = hard + held + margin
    if visibility >= needed:
        return None
    return checks.Error(
        f"CELERY_VISIBILITY_TIMEOUT={visibility} is too short for CELERY_TASK_TIME_LIMIT={hard} and "
        f"{setting}={value} ({meaning}): a task waiting for its countdown and then running to its time "
        "limit stays unacknowledged longer than the visibility timeout, and Redis hands it to a second "
        "worker, so it runs twice.",
        hint=(
            f"The rule: CELERY_VISIBILITY_TIMEOUT >= CELERY_TASK_TIME_LIMIT + {term} + {margin} s = {needed} s. "
            f"Raise CELERY_VISIBILITY_TIMEOUT, or lower CELERY_TASK_TIME_LIMIT or {setting}."
        ),
        id=error_id,
    )


def contradictions() -> list[checks.CheckMessage]:
    """Run every check tagged SETTINGS (every app's); return the errors among their messages."""
    return [message for message in checks.run_checks(tags=[SETTINGS]) if message.is_serious()]


def describe(errors: list[checks.CheckMessage]) -> str:
    """Return the errors as text: one paragraph each, with its id and hint."""
    paragraphs = [f"({error.id}) {error.msg}" + (f"\n\tHINT: {error.hint}" if error.hint else "") for error in errors]
    return "Settings contradict each other:\n" + "\n".join(paragraphs)


def refuse_contradictions(process: str) -> None:
    """Stop a process that runs no system checks if its settings contradict each other.

    Raises ImproperlyConfigured naming every contradiction (gunicorn then fails to boot);
    logs it first, since some callers (Celery's signals) report exceptions only to the log.
    """
    errors = contradictions()
    if errors:
        text = describe(errors)
        logger.critical("%s refuses to start. %s", process, text)
        raise ImproperlyConfigured(text)
