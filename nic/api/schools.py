from __future__ import annotations

from datetime import datetime

from flask import jsonify
from pydantic import BaseModel
from sqlalchemy import select

from nic.api import bp
from nic.api.docs import documented
from nic.api.pagination import paginate
from nic.models import School


class SchoolOut(BaseModel):
    id: int
    name: str
    created_at: datetime


def school_out(school: School) -> dict:
    return SchoolOut(id=school.id, name=school.name, created_at=school.created_at).model_dump(mode="json")


@bp.get("/networks/<slug>/schools")
@documented(summary="The network's member schools", response=SchoolOut, paginated=True, errors=(401, 404, 422))
def list_schools(slug):
    return jsonify(paginate(select(School), School.id, school_out))
