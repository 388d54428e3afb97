"""Networks, their schools and memberships."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import Membership, Network, School, User
from nic.services.errors import Conflict, NotFound
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_name, clean_role, clean_slug
from nic.tenancy import current_network_id, get_scoped


def network_by_slug(slug: str) -> Network | None:
    return db.session.scalar(select(Network).where(Network.slug == slug))


def create_network(slug: str, name: str) -> Network:
    errors = FieldErrors()
    slug = errors.check("slug", clean_slug, slug)
    name = errors.check("name", clean_name, name)
    if slug and network_by_slug(slug) is not None:
        errors.add("slug", f"{slug!r} is already taken")
    errors.raise_if_any()
    network = Network(slug=slug, name=name)
    db.session.add(network)
    commit()
    return network


# --- settings (current network) --------------------------------------------------------

THRESHOLD_RANGE = (50, 100)


def set_reporting_threshold(value) -> Network:
    """The percentage of a measure's schools that must report a period before the pooled
    chart judges it (nic.analytics.reporting; docs/SIGNALS.md "Pooled series")."""
    low, high = THRESHOLD_RANGE
    errors = FieldErrors()
    try:
        threshold = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        errors.add("reporting_threshold", f"must be a whole number from {low} to {high}")
    else:
        if not low <= threshold <= high:
            errors.add("reporting_threshold", f"must be from {low} to {high} (a percentage of the schools)")
    errors.raise_if_any()
    network = db.session.get(Network, current_network_id())
    network.reporting_threshold = threshold
    commit()
    return network


# --- schools (current network) ---------------------------------------------------------

def schools() -> list[School]:
    return list(db.session.scalars(select(School).order_by(School.name)))


def school_by_name(name: str) -> School | None:
    return db.session.scalar(select(School).where(func.lower(School.name) == (name or "").strip().lower()))


def _clean_group(value) -> str:
    """A school group ("Cohort 1"): optional, for the dashboard's filters."""
    value = (value or "").strip()
    if len(value) > 100:
        raise ValueError("must be at most 100 characters")
    return value


def create_school(name: str, group_name: str = "") -> School:
    errors = FieldErrors()
    name = errors.check("name", clean_name, name)
    group_name = errors.check("group_name", _clean_group, group_name)
    if name and school_by_name(name) is not None:
        errors.add("name", "a school with this name is already in the network")
    errors.raise_if_any()
    school = School(name=name, group_name=group_name)
    db.session.add(school)
    commit()
    return school


def rename_school(school_id, name: str, group_name: str | None = None) -> School:
    """Rename a school and, unless `group_name` is None, set its group."""
    school = get_scoped(School, school_id)
    if school is None:
        raise NotFound("No such school in this network.")
    errors = FieldErrors()
    name = errors.check("name", clean_name, name)
    if group_name is not None:
        group_name = errors.check("group_name", _clean_group, group_name)
    other = school_by_name(name) if name else None
    if other is not None and other.id != school.id:
        errors.add("name", "a school with this name is already in the network")
    errors.raise_if_any()
    school.name = name
    if group_name is not None:
        school.group_name = group_name
    commit()
    return school


# --- memberships (current network) ----------------------------------------------------

def check_role_and_school(errors: FieldErrors, role, school_id) -> tuple[str | None, School | None]:
    """A facilitator works across the network (no school); principals and teacher
    leaders belong to a school; a plain member may or may not."""
    role = errors.check("role", clean_role, role)
    school = None
    if school_id not in (None, ""):
        school = get_scoped(School, school_id)
        if school is None:
            errors.add("school", "is not a school of this network")
    if role == "facilitator" and school is not None:
        errors.add("school", "must be empty for a facilitator, who works across the network")
    if role in ("principal", "teacher_leader") and school is None and "school" not in errors.errors:
        errors.add("school", f"is required for a {role.replace('_', ' ')}")
    return role, school


def members(page: int = 1, per_page: int | None = None) -> list[Membership]:
    """Members by name; one page of them when `per_page` is given."""
    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .options(selectinload(Membership.user), selectinload(Membership.school))
        .order_by(User.name, Membership.id)
    )
    if per_page:
        stmt = stmt.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(db.session.scalars(stmt))


def member_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Membership))


def member_counts_by_school() -> dict[int | None, int]:
    stmt = select(Membership.school_id, func.count()).group_by(Membership.school_id)
    return dict(db.session.execute(stmt).all())


def facilitators() -> list[Membership]:
    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .options(selectinload(Membership.user))
        .where(Membership.role == "facilitator")
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


def membership_of(user: User) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id))


def add_member(user: User, role: str, school_id=None) -> Membership:
    """Give `user` a membership in the current network (no commit: callers own the
    transaction, as accepting an invitation creates the user in the same one)."""
    errors = FieldErrors()
    role, school = check_role_and_school(errors, role, school_id)
    if membership_of(user) is not None:
        errors.add("email", "is already a member of this network")
    errors.raise_if_any()
    membership = Membership(user_id=user.id, role=role, school_id=school.id if school else None)
    db.session.add(membership)
    db.session.flush()
    return membership


def change_member(membership_id, role: str, school_id, acting_user: User) -> Membership:
    membership = get_scoped(Membership, membership_id)
    if membership is None:
        raise NotFound("No such member in this network.")
    errors = FieldErrors()
    role, school = check_role_and_school(errors, role, school_id)
    errors.raise_if_any()
    if membership.role == "facilitator" and role != "facilitator":
        _keep_a_facilitator(membership)
    membership.role = role
    membership.school_id = school.id if school else None
    commit()
    return membership


def remove_member(membership_id) -> None:
    membership = get_scoped(Membership, membership_id)
    if membership is None:
        raise NotFound("No such member in this network.")
    if membership.role == "facilitator":
        _keep_a_facilitator(membership)
    db.session.delete(membership)
    commit()


def _keep_a_facilitator(leaving: Membership) -> None:
    count = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.role == "facilitator"))
    if count <= 1:
        raise Conflict("A network needs at least one facilitator; make someone else facilitator first.")
