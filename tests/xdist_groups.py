"""Which tests run together under pytest-xdist (`make test`: `pytest -n N --dist loadgroup`).

Tests go one at a time to whichever worker is free, except groups, which run on one
worker so that what they share is started once per run rather than once per worker:

- `live-servers`: the tests marked `live` or `e2e` (the `nic serve` processes, the live
  database and Redis, one Chromium);
- `s3-server`: the tests marked `s3` (one SeaweedFS server; tests using `s3_server` get
  the marker here, the `storage` fixture's s3 parameter carries it);
- a module whose tests share a module-scoped fixture (a database made by the CLI, a
  built app) is one group;
- an explicit `@pytest.mark.xdist_group("name")` wins.

Every worker has its own database, Redis database number and ports (tests/support.py), so
the groups are about cost, not safety: any test may run beside any other.

Why not pytest-xdist's own loadgroup: it passes the group to the controller by appending
`@group` to each test's node id, which pytest 9.2 no longer lets a plugin change (node ids
became structured; pytest-xdist issue #1386), so the marks are silently ignored. Here the
workers write their groups to a file the controller passed them (`workerinput`), and the
controller's scheduler (`pytest_xdist_make_scheduler`) reads it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

LIVE_GROUP = "live-servers"
S3_GROUP = "s3-server"
_FILE_KEY = "nic_xdist_groups_dir"


def group_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    if item.get_closest_marker("live") or item.get_closest_marker("e2e"):
        return LIVE_GROUP
    if item.get_closest_marker("s3"):
        return S3_GROUP
    if _uses_module_fixture(item):
        return item.nodeid.split("::")[0]
    return None


def _uses_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        definition.scope in ("module", "package", "class")
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )


# --- every process ------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if "s3_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.s3)


# --- a worker: tell the controller the groups ------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist tells the controller it has collected
def pytest_collection_finish(session):
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is None or _FILE_KEY not in workerinput:
        return
    groups = {item.nodeid: group for item in session.items if (group := group_of(item)) is not None}
    folder = Path(workerinput[_FILE_KEY])
    partial = folder / f".{workerinput['workerid']}.json"
    partial.write_text(json.dumps(groups))
    os.replace(partial, folder / f"{workerinput['workerid']}.json")


# --- the controller: schedule by group ---------------------------------------------------------


def _controller_folder(config) -> Path:
    folder = getattr(config, "_nic_xdist_groups", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="nic-xdist-groups-"))
        config._nic_xdist_groups = folder
    return folder


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    node.workerinput[_FILE_KEY] = str(_controller_folder(node.config))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    folder = _controller_folder(config)

    class GroupScheduling(LoadScopeScheduling):
        """LoadScopeScheduling whose scopes are the groups above (a test of no group is
        a scope of its own). Scopes with the most tests go first."""

        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:
                # Read once every worker has collected (the scheduler asks only then); a
                # missing file only means smaller scopes, never a wrong run.
                self._groups = {}
                for path in folder.glob("gw*.json"):
                    self._groups.update(json.loads(path.read_text()))
            return self._groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)


def pytest_unconfigure(config):
    folder = getattr(config, "_nic_xdist_groups", None)
    if folder is not None:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
