"""GET /api/v1/networks/<slug>/cycles: the cycles the caller may see, filtered and
keyset-paginated. (POST on the same path, and the single-cycle routes, are in
nic.api.cycles.) The filters are read and turned into SQL by nic.services.cycles.browse, exactly
as for the browse page."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from nic.api import bp
from nic.api.cycle_schema import CYCLE_OUT_OPTIONS, CycleOut, cycle_out
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import PHASES, Cycle
from nic.services.cycles import browse
from nic.tenancy import current_membership

API_FILTERS = ("school_id", "phase", "change_idea_id", "team_id", "owner_id", "q")


def _param(name: str, kind: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind, **schema},
            "description": description}


FILTER_PARAMS = [
    _param("school_id", "integer", "Only this school's cycles. An id of no school you can see finds nothing."),
    _param("phase", "string", "Only cycles in this phase.", enum=list(PHASES)),
    _param("change_idea_id", "integer", "Only cycles testing this change idea."),
    _param("team_id", "integer", "Only this team's cycles."),
    _param("owner_id", "integer", "Only cycles this user owns."),
    _param("q", "string", "Full-text search of the title, plan, observations, problems, learning and act.",
           maxLength=browse.Q_MAX),
]


@bp.get("/networks/<slug>/cycles")
@documented(
    summary="Cycles you may see, filtered",
    response=CycleOut,
    paginated=True,
    params=FILTER_PARAMS,
    errors=(401, 404, 422),
    description="Cycles shared with the network, and your own school's; never deleted ones. Ordered by id. "
    "A filter value that is not a number (ids) or not a phase answers 422 naming the parameter.",
)
def list_cycles(slug):
    filters = browse.parse_filters(request.args, API_FILTERS)
    stmt = select(Cycle).where(*browse.cycle_conditions(current_membership(), filters)).options(*CYCLE_OUT_OPTIONS)
    return jsonify(paginate(stmt, Cycle.id, cycle_out))
