"""Who is viewing a thread, and how often a socket may say it is typing.

A viewer is a socket that joined a thread; the page shows people, so `viewers()` groups
sockets by user (two tabs are one person). With REDIS_URL set the state lives in Redis,
shared by every `nic serve` process:

- `nic:presence:thread:<id>`: a hash of sid -> [user_id, name, process]; its `seq`
  field counts changes, so a client can drop a `viewers` list older than one it has
  (two processes may broadcast in either order). The hash expires a day after its last
  join or leave.
- `nic:presence:process:<process>`: a heartbeat each server process renews every few
  seconds. A process that crashed stops renewing; its sockets are then ignored and
  swept from the hashes on the next read, so it leaves no ghosts behind.

Without Redis one process holds everything in memory. Either way the sids a socket
joined are also kept in this process (a socket lives on one process), so a disconnect
finds what to remove without scanning Redis.

Nothing here touches the database or Flask's request: handlers pass ids and names in.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid

from flask import current_app

logger = logging.getLogger(__name__)

EXTENSION_KEY = "nic_presence"
HEARTBEAT_SECONDS = 5
PROCESS_TTL_SECONDS = 20  # four missed heartbeats: the process is gone
THREAD_TTL_SECONDS = 24 * 3600
TYPING_INTERVAL_SECONDS = 2.0  # one `typing` per socket and thread in this long
SEQ_FIELD = "seq"


def _now() -> float:
    return time.monotonic()


def _people(entries) -> list[dict]:
    """Distinct people from (user_id, name) pairs, by name then id."""
    people = dict(entries)
    return [
        {"id": user_id, "name": name}
        for user_id, name in sorted(people.items(), key=lambda item: (item[1].casefold(), item[0]))
    ]


class Presence:
    """The shared part: this process's own index of sid -> joined threads, and the
    typing throttle (both per socket, so per process, whatever the backend)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._joined: dict[str, set[int]] = {}
        self._typing: dict[tuple[str, int], float] = {}

    # -- the index of this process's sockets -----------------------------------------
    def is_viewing(self, thread_id: int, sid: str) -> bool:
        with self._lock:
            return thread_id in self._joined.get(sid, ())

    def _remember(self, thread_id: int, sid: str) -> None:
        with self._lock:
            self._joined.setdefault(sid, set()).add(thread_id)

    def _forget(self, thread_id: int, sid: str) -> None:
        with self._lock:
            threads = self._joined.get(sid)
            if threads is not None:
                threads.discard(thread_id)
                if not threads:
                    del self._joined[sid]
            self._typing.pop((sid, thread_id), None)

    # -- the public operations ---------------------------------------------------------
    def join(self, thread_id: int, sid: str, user_id: int, name: str) -> dict:
        """Add a viewer; answers {"users", "seq"} as they are after the change."""
        self._remember(thread_id, sid)
        return self._store_join(thread_id, sid, user_id, name)

    def leave(self, thread_id: int, sid: str) -> dict:
        self._forget(thread_id, sid)
        return self._store_leave(thread_id, sid)

    def disconnect(self, sid: str) -> dict[int, dict]:
        """Remove a socket from every thread it viewed: {thread_id: {"users", "seq"}}."""
        with self._lock:
            threads = self._joined.pop(sid, set())
            for key in [key for key in self._typing if key[0] == sid]:
                del self._typing[key]
        return {thread_id: self._store_leave(thread_id, sid) for thread_id in sorted(threads)}

    def typing_allowed(self, thread_id: int, sid: str, now: float | None = None) -> bool:
        """True at most once per TYPING_INTERVAL_SECONDS for one socket in one thread."""
        now = _now() if now is None else now
        with self._lock:
            last = self._typing.get((sid, thread_id))
            if last is not None and now - last < TYPING_INTERVAL_SECONDS:
                return False
            self._typing[(sid, thread_id)] = now
            return True

    # -- what a backend provides -------------------------------------------------------
    def _store_join(self, thread_id, sid, user_id, name) -> dict:
        raise NotImplementedError

    def _store_leave(self, thread_id, sid) -> dict:
        raise NotImplementedError

    def viewers(self, thread_id: int) -> list[dict]:
        raise NotImplementedError

    def sids_of(self, thread_id: int, user_id: int) -> list[str]:
        """Every socket (any process) of one person viewing the thread."""
        raise NotImplementedError


class MemoryPresence(Presence):
    """One process on its own (no REDIS_URL)."""

    def __init__(self):
        super().__init__()
        self._threads: dict[int, dict[str, tuple[int, str]]] = {}
        self._seq: dict[int, int] = {}

    def _snapshot(self, thread_id) -> dict:
        self._seq[thread_id] = self._seq.get(thread_id, 0) + 1
        return {"users": _people(self._threads.get(thread_id, {}).values()), "seq": self._seq[thread_id]}

    def _store_join(self, thread_id, sid, user_id, name) -> dict:
        with self._lock:
            self._threads.setdefault(thread_id, {})[sid] = (user_id, name)
            return self._snapshot(thread_id)

    def _store_leave(self, thread_id, sid) -> dict:
        with self._lock:
            sockets = self._threads.get(thread_id, {})
            sockets.pop(sid, None)
            if not sockets:
                self._threads.pop(thread_id, None)
            return self._snapshot(thread_id)

    def viewers(self, thread_id: int) -> list[dict]:
        with self._lock:
            return _people(self._threads.get(thread_id, {}).values())

    def sids_of(self, thread_id: int, user_id: int) -> list[str]:
        with self._lock:
            return [sid for sid, (uid, _) in self._threads.get(thread_id, {}).items() if uid == user_id]


class RedisPresence(Presence):
    """Shared by every server process through Redis (see the module docstring)."""

    def __init__(self, redis_url: str, process_id: str | None = None, heartbeat: bool = True):
        import redis

        super().__init__()
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.process_id = process_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._heartbeat = heartbeat
        self._beating = False

    @staticmethod
    def thread_key(thread_id: int) -> str:
        return f"nic:presence:thread:{int(thread_id)}"

    @staticmethod
    def process_key(process_id: str) -> str:
        return f"nic:presence:process:{process_id}"

    # -- the heartbeat -------------------------------------------------------------------
    def beat(self) -> None:
        self.redis.set(self.process_key(self.process_id), "1", ex=PROCESS_TTL_SECONDS)

    def _start_heartbeat(self) -> None:
        if self._beating or not self._heartbeat:
            return
        self._beating = True
        from nic.extensions import socketio

        def loop():
            while True:
                time.sleep(HEARTBEAT_SECONDS)
                try:
                    self.beat()
                except Exception:  # Redis away for a moment: try again next beat
                    logger.warning("presence heartbeat failed", exc_info=True)

        socketio.start_background_task(loop)

    # -- reading a thread's hash ---------------------------------------------------------
    def _live_entries(self, thread_id: int, raw: dict) -> dict[str, tuple[int, str]]:
        """sid -> (user_id, name) for sockets whose process is alive; the others (a
        crashed process's) are removed from the hash as they are found."""
        entries: dict[str, tuple[int, str, str]] = {}
        for sid, value in raw.items():
            if sid == SEQ_FIELD:
                continue
            try:
                user_id, name, process = json.loads(value)
                entries[sid] = (int(user_id), str(name), str(process))
            except (ValueError, TypeError):
                entries[sid] = (0, "", "")  # unreadable: treated as a ghost below
        processes = sorted({process for _, _, process in entries.values() if process})
        alive = set()
        if processes:
            flags = self.redis.mget([self.process_key(p) for p in processes])
            alive = {process for process, flag in zip(processes, flags) if flag is not None}
        ghosts = [sid for sid, (_, _, process) in entries.items() if process not in alive]
        if ghosts:
            self.redis.hdel(self.thread_key(thread_id), *ghosts)
        return {sid: (uid, name) for sid, (uid, name, process) in entries.items() if process in alive}

    def _apply(self, thread_id: int, change) -> dict:
        """Run `change(pipeline)`, bump seq and read the hash in one MULTI, so each
        broadcast list is a consistent snapshot with its own sequence number."""
        key = self.thread_key(thread_id)
        with self.redis.pipeline(transaction=True) as pipe:
            change(pipe, key)
            pipe.hincrby(key, SEQ_FIELD, 1)
            pipe.expire(key, THREAD_TTL_SECONDS)  # also for a leave, so no key outlives it
            pipe.hgetall(key)
            *_, seq, _expire, raw = pipe.execute()
        users = _people(self._live_entries(thread_id, raw).values())
        return {"users": users, "seq": int(seq)}

    # -- the backend ---------------------------------------------------------------------
    def _store_join(self, thread_id, sid, user_id, name) -> dict:
        self._start_heartbeat()
        self.beat()  # alive from the first join, before the first beat of the loop
        value = json.dumps([int(user_id), str(name), self.process_id])

        return self._apply(thread_id, lambda pipe, key: pipe.hset(key, sid, value))

    def _store_leave(self, thread_id, sid) -> dict:
        return self._apply(thread_id, lambda pipe, key: pipe.hdel(key, sid))

    def viewers(self, thread_id: int) -> list[dict]:
        raw = self.redis.hgetall(self.thread_key(thread_id))
        return _people(self._live_entries(thread_id, raw).values())

    def sids_of(self, thread_id: int, user_id: int) -> list[str]:
        raw = self.redis.hgetall(self.thread_key(thread_id))
        return [sid for sid, (uid, _) in self._live_entries(thread_id, raw).items() if uid == user_id]


def tracker() -> Presence:
    """The app's presence tracker, made on first use: Redis-backed when REDIS_URL is
    set, else in memory. One per app (and so per server process)."""
    app = current_app._get_current_object()
    presence = app.extensions.get(EXTENSION_KEY)
    if presence is None:
        with _CREATE_LOCK:
            presence = app.extensions.get(EXTENSION_KEY)
            if presence is None:
                url = app.config.get("REDIS_URL")
                presence = RedisPresence(url) if url else MemoryPresence()
                app.extensions[EXTENSION_KEY] = presence
    return presence


_CREATE_LOCK = threading.Lock()
