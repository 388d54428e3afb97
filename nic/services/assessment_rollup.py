"""Roll-up of self-assessment rounds (being built): called by nic.services.rollups.compute
inside its transaction."""
from __future__ import annotations


def compute(d, params: dict, school_id: int | None) -> None:
    """Replace the assessment roll-up rows of the network (or of one school)."""
    return None
