"""The only place Socket.IO room names are made. Handlers join rooms built here from ids
the server has already authorised, never from a value a client sent (STYLE rule 8)."""

from __future__ import annotations


def thread_room(thread_id: int) -> str:
    return f"thread:{int(thread_id)}"


def network_room(network_id: int) -> str:
    """Every member of one network (any role): `rollup`, which says only that new figures
    exist; each page then asks for what its reader may see."""
    return f"network:{int(network_id)}"


def user_room(user_id: int) -> str:
    """Every socket of one person (all tabs, any server process): notifications."""
    return f"user:{int(user_id)}"
