"""The dashboard's snapshot sections, rendered once and kept.

Most of the network dashboard (trend, change-idea heatmap, measures, engagement, the
schools table) reads nothing but the roll-up snapshot, so its HTML is the same for every
request that shows the same snapshot with the same filters to the same kind of viewer.
It is kept here under a key holding the snapshot's `computed_at`: a new roll-up changes
the key, so a kept section is never older than the figures it came from, and nothing has
to be invalidated. The parts that read live data (the snapshot's age and the job under
way, the stalled cycles, which drop out as soon as someone edits them) are rendered on
every request.

Kept per server process, in memory (a bounded LRU): no Redis round trip on the page's
path and nothing to go wrong when Redis is away; each process fills its own on its first
request for a snapshot.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from markupsafe import Markup

MAX_ENTRIES = 48


class SectionCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[Markup, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_render(self, key: tuple, render: Callable[[], tuple[Markup, ...]]) -> tuple[Markup, ...]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        # Rendered outside the lock: two requests for a new snapshot may both render it,
        # which costs a little time once and never blocks other pages.
        rendered = render()
        with self._lock:
            self.misses += 1
            self._entries[key] = rendered
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


sections = SectionCache()
