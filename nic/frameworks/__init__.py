"""Leadership-practice frameworks as data: levels, domains, practices, descriptors and
guiding questions, read from and written to YAML or JSON.

Pure: standard library and PyYAML only (no Flask, no SQLAlchemy), so the web app, the
API, Celery tasks and tests can all use it without an app or a database.

- :mod:`nic.frameworks.schema`: the frozen dataclasses, limits and :class:`FrameworkInvalid`.
- :mod:`nic.frameworks.validate`: :func:`from_dict`, which names every problem at once.
- :mod:`nic.frameworks.io`: :func:`load` and :func:`dump` for ``"yaml"`` and ``"json"``.
- :mod:`nic.frameworks.builtin`: the frameworks shipped with nic.
"""

from nic.frameworks.builtin import get_builtin, list_builtin
from nic.frameworks.io import FORMATS, dump, load
from nic.frameworks.schema import (
    Domain,
    Framework,
    FrameworkInvalid,
    Level,
    Practice,
    Source,
    to_dict,
)
from nic.frameworks.validate import from_dict

__all__ = [
    "FORMATS",
    "Domain",
    "Framework",
    "FrameworkInvalid",
    "Level",
    "Practice",
    "Source",
    "dump",
    "from_dict",
    "get_builtin",
    "list_builtin",
    "load",
    "to_dict",
]
