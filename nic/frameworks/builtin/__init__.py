"""The frameworks nic ships, one YAML file each beside this module.

A package rather than a ``builtin.py`` next to a ``builtin/`` folder of data, because a
module and a folder of the same name shadow each other on import. The files are read
and validated on first use, not at import (no I/O at import time), and cached: the
Framework values are immutable, so every caller can share them.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from nic.frameworks.io import load
from nic.frameworks.schema import Framework

# Display order: the broad rubric first, then the smaller ones.
_FILES = ("leadership-core-practices.yaml", "three-levers.yaml", "leadership-dimensions.yaml")


def list_builtin() -> list[Framework]:
    """Every built-in framework, validated; a broken shipped file fails loudly here.
    A new list each call, so a caller that sorts or filters it cannot touch the cache."""
    return list(_load_all())


def get_builtin(key: str) -> Framework | None:
    """The built-in framework with this key, or None."""
    return next((framework for framework in _load_all() if framework.key == key), None)


@cache
def _load_all() -> tuple[Framework, ...]:
    folder = files(__name__)
    return tuple(load(folder.joinpath(name).read_bytes(), "yaml") for name in _FILES)
