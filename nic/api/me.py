from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from pydantic import BaseModel

from nic.api import bp
from nic.api.docs import documented
from nic.tenancy import memberships_of


class MembershipOut(BaseModel):
    network: str
    network_name: str
    school_id: int | None
    role: str


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    memberships: list[MembershipOut]


@bp.get("/me")
@documented(summary="The signed-in user and their memberships", response=MeOut, errors=(401,))
def me():
    user = current_user
    memberships = [
        MembershipOut(network=m.network.slug, network_name=m.network.name, school_id=m.school_id, role=m.role)
        for m in memberships_of(user)
    ]
    return jsonify(MeOut(id=user.id, email=user.email, name=user.name, memberships=memberships).model_dump())
