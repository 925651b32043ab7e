"""What the data migrations seed, restored after a table was emptied.

A flush (every transactional test, ``demo reset``) empties the tables that data migrations filled: the catalog, the
list types, the policies, measures, scoring models, commitment types, benefit scenarios and the lending fund. Each app
whose migrations seed data says how to restore it in one place, a ``seed_restore()`` in its ``seed`` module —
idempotent, one cheap query when nothing is missing. ``migration_seeds_restore()`` finds them the way Django's admin
finds ``admin`` modules and calls them in the order of ``INSTALLED_APPS`` (an app after the apps it builds on).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def _restorers() -> list[Callable[[], None]]:
    found: list[Callable[[], None]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongxin.") or not module_has_submodule(config.module, "seed"):
            continue
        restore = getattr(import_module(f"{config.name}.seed"), "seed_restore", None)
        if restore is not None:
            found.append(restore)
    return found


def migration_seeds_restore() -> None:
    """Seed again whatever a flush emptied of what the data migrations seed; a no-op when nothing is missing."""
    for restore in _restorers():
        restore()
