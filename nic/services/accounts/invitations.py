"""Invitations: a facilitator invites someone by email to a role (and school); the link
is single-use and expires; the invitee sets name and password on accepting."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from nic import links
from nic.clock import utcnow
from nic.extensions import db
from nic.models import Invitation, Network, User
from nic.services.accounts import accounts
from nic.services.notifications import mail
from nic.services.errors import Conflict, NotFound
from nic.services.accounts.networks import add_member, check_role_and_school, membership_of
from nic.services.accounts.secrets import digest, new_token
from nic.transaction import commit, rollback
from nic.services.validation import FieldErrors, clean_email
from nic.tenancy import UNSCOPED, current_network, get_scoped, use_network


def invite(email: str, role: str, school_id, invited_by: User) -> Invitation:
    errors = FieldErrors()
    email = errors.check("email", clean_email, email)
    role, school = check_role_and_school(errors, role, school_id)
    existing = accounts.find_user_by_email(email) if email else None
    if existing is not None and membership_of(existing) is not None:
        errors.add("email", "already belongs to this network")
    errors.raise_if_any()
    token = new_token()
    ttl = timedelta(hours=current_app.config["INVITE_TTL_HOURS"])
    invitation = Invitation(
        email=email, role=role, school_id=school.id if school else None,
        token_hash=digest(token), invited_by_id=invited_by.id, expires_at=utcnow() + ttl,
    )
    db.session.add(invitation)
    db.session.flush()
    network = current_network() or db.session.get(Network, invitation.network_id)
    mail.send_mail(
        email, f"You're invited to {network.name} on nic", "invitation",
        network=network, invitation=invitation, inviter=invited_by,
        link=links.absolute("auth.accept_invitation", token=token),
        hours=current_app.config["INVITE_TTL_HOURS"], existing_user=existing is not None,
    )
    commit()
    return invitation


def pending() -> list[Invitation]:
    stmt = (
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    )
    return list(db.session.scalars(stmt))


def revoke(invitation_id) -> None:
    invitation = get_scoped(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound("No such pending invitation in this network.")
    invitation.revoked_at = utcnow()
    commit()


def find_open(token: str) -> Invitation | None:
    """The invitation behind a link, if it can still be used. The link itself names the
    network, so this lookup is unscoped: the escape hatch, deliberately."""
    stmt = select(Invitation).where(Invitation.token_hash == digest(token or "")).execution_options(**UNSCOPED)
    invitation = db.session.scalar(stmt)
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at <= utcnow():
        return None
    return invitation


def accept(token: str, name: str | None = None, password: str | None = None, user: User | None = None) -> User:
    """Use an invitation: a new person gives name and password; someone who already has
    an account (and is signed in as the invited email) just joins. All or nothing."""
    invitation = find_open(token)
    if invitation is None:
        raise NotFound("This invitation link is invalid, already used or expired. Ask your facilitator for a new one.")
    with use_network(invitation.network_id):
        try:
            user = _join(invitation, name, password, user)
            commit()
        except Exception:
            rollback()  # nothing half-way: no user without the membership, or vice versa
            raise
    return user


def _join(invitation: Invitation, name, password, user: User | None) -> User:
    if user is None:
        if accounts.find_user_by_email(invitation.email) is not None:
            raise Conflict("An account with this email already exists: sign in first, then open the link again.")
        user = accounts.new_user(invitation.email, name, password)
    elif user.email != invitation.email:
        errors = FieldErrors()
        errors.add("email", f"this invitation is for {invitation.email}; you are signed in as {user.email}")
        errors.raise_if_any()
    # Claim the invitation in one UPDATE, so two tabs cannot both use one link.
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise NotFound("This invitation has already been used.")
    add_member(user, invitation.role, invitation.school_id)
    return user
