"""The theory of improvement pages under /n/<slug>/theory/: aims, their driver diagrams
(drawn as inline SVG on the server), drivers and the diagram's revisions."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from nic.models import Aim, Driver
from nic.permissions import requires
from nic.services.theory import diagram
from nic.services.discussion import markdown
from nic.services.theory import theory
from nic.services.theory import ideas as theory_ideas
from nic.services.errors import ServiceError
from nic.tenancy import get_or_404
from nic.web.forms import is_page_error, show_service_error
from nic.web.paging import Page
from nic.web.theory.forms import AimForm, ChangeIdeaForm, ConfirmForm, DriverForm, driver_choices, form_data

bp = Blueprint("theory", __name__, url_prefix="/n/<slug>")
REVISIONS_PER_PAGE = 25
AIM_FIELDS = ("statement", "population", "measure_label", "baseline", "target", "unit", "due_date")
KIND_LABELS = {"aim": "Aim", "primary": "Primary driver", "secondary": "Secondary driver", "idea": "Change idea"}


def _actor():
    return current_user._get_current_object()


def _number(value) -> str:
    """1.0 -> "1", 72.5 -> "72.5": the way people typed it."""
    return "" if value is None else f"{value:g}"


# --- drawing ---------------------------------------------------------------------------

def diagram_context(slug: str, snapshot: dict, include_closed: bool, check_existing: bool = False) -> dict:
    """What templates/theory/_diagram.html needs: the layout, each box's link (None for
    an object an old revision shows that no longer exists) and the text outline."""
    drawn = diagram.layout(snapshot, include_closed=include_closed)
    drivers, ideas = theory.existing_ids(snapshot) if check_existing else (None, None)
    hrefs: dict[str, str | None] = {}
    for box in drawn.boxes:
        if box.kind == "aim":
            hrefs[box.key] = url_for("theory.aim", slug=slug, aim_id=box.object_id)
        elif box.kind == "idea":
            exists = ideas is None or box.object_id in ideas
            hrefs[box.key] = url_for("theory.change_idea", slug=slug, change_idea_id=box.object_id) if exists else None
        else:
            exists = drivers is None or box.object_id in drivers
            hrefs[box.key] = url_for("theory.driver", slug=slug, driver_id=box.object_id) if exists else None
    return {"layout": drawn, "hrefs": hrefs, "kind_labels": KIND_LABELS, "status_labels": theory_ideas.STATUS_LABELS,
            "outline": diagram.outline(snapshot, include_closed=include_closed), "include_closed": include_closed}


# --- aims ------------------------------------------------------------------------------

@bp.get("/theory/")
@login_required
@requires("network.view")
def index(slug):
    return render_template("theory/index.html", aims=theory.aims())


def _aim_form_page(form, aim=None, status=200):
    return render_template("theory/aim_form.html", form=form, aim=aim), status


@bp.get("/theory/aims/new")
@login_required
@requires("theory.edit")
def new_aim(slug):
    return _aim_form_page(AimForm(formdata=None))


@bp.post("/theory/aims")
@login_required
@requires("theory.edit")
def create_aim(slug):
    form = AimForm()
    if form.validate_on_submit():
        try:
            aim = theory.create_aim(form_data(form, *AIM_FIELDS), _actor())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Aim added. Now add its primary drivers.", "success")
            return redirect(url_for("theory.aim", slug=slug, aim_id=aim.id))
    return _aim_form_page(form, status=422)


@bp.get("/theory/aims/<int:aim_id>/edit")
@login_required
@requires("theory.edit")
def edit_aim(slug, aim_id):
    aim = get_or_404(Aim, aim_id)
    form = AimForm(formdata=None, obj=aim)
    form.baseline.data, form.target.data = _number(aim.baseline), _number(aim.target)
    return _aim_form_page(form, aim)


@bp.post("/theory/aims/<int:aim_id>")
@login_required
@requires("theory.edit")
def update_aim(slug, aim_id):
    aim = get_or_404(Aim, aim_id)
    form = AimForm()
    if form.validate_on_submit():
        try:
            theory.update_aim(aim.id, form_data(form, *AIM_FIELDS), _actor())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Aim saved.", "success")
            return redirect(url_for("theory.aim", slug=slug, aim_id=aim.id))
    return _aim_form_page(form, aim, status=422)


def _driver_form(aim: Aim, formdata=True, driver: Driver | None = None, **kwargs) -> DriverForm:
    form = DriverForm(**kwargs) if formdata else DriverForm(formdata=None, **kwargs)
    below = {driver.id} if driver else set()
    form.parent_ids.choices = driver_choices(d for d in aim.drivers if d.id not in below)
    return form


def _propose_form(aim: Aim, formdata=True) -> ChangeIdeaForm:
    form = ChangeIdeaForm() if formdata else ChangeIdeaForm(formdata=None, aim_id=str(aim.id))
    form.driver_ids.choices = driver_choices(aim.drivers)
    return form


@bp.get("/theory/aims/<int:aim_id>")
@login_required
@requires("network.view")
def aim(slug, aim_id, driver_form=None, propose_form=None, status=200):
    aim = get_or_404(Aim, aim_id)
    include_closed = request.args.get("closed") == "1"
    as_of_text = (request.args.get("as_of") or "").strip()
    as_of = revision = as_of_error = None
    if as_of_text:
        try:
            as_of = date.fromisoformat(as_of_text)
        except ValueError:
            as_of_error, status = "must be a date, YYYY-MM-DD", 422
        else:
            revision = theory.revision_as_of(aim.id, as_of)
    if as_of is not None:
        snapshot = revision.snapshot if revision else None
    elif as_of_error:
        snapshot = None
    else:
        snapshot = theory.snapshot(aim)
    # Today's diagram links every box; a past one only the boxes whose objects still exist.
    context = diagram_context(slug, snapshot, include_closed, check_existing=as_of is not None) if snapshot else {}
    return render_template(
        "theory/aim.html", aim=aim, as_of=as_of, as_of_text=as_of_text, as_of_error=as_of_error,
        revision=revision, latest=theory.revisions(aim.id, 1, 1)[0],
        driver_form=driver_form or _driver_form(aim, formdata=False),
        propose_form=propose_form or _propose_form(aim, formdata=False),
        **context,
    ), status


# --- drivers ---------------------------------------------------------------------------

DRIVER_FIELDS = ("kind", "title", "description", "parent_ids")


@bp.post("/theory/aims/<int:aim_id>/drivers")
@login_required
@requires("theory.edit")
def create_driver(slug, aim_id):
    aim_ = get_or_404(Aim, aim_id)
    form = _driver_form(aim_)
    if form.validate_on_submit():
        try:
            driver = theory.create_driver(aim_.id, form_data(form, *DRIVER_FIELDS), _actor())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Driver “{driver.title}” added.", "success")
            return redirect(url_for("theory.aim", slug=slug, aim_id=aim_.id) + "#diagram")
    return aim(slug, aim_id, driver_form=form, status=422)


@bp.get("/theory/drivers/<int:driver_id>")
@login_required
@requires("network.view")
def driver(slug, driver_id, form=None, status=200):
    driver_ = get_or_404(Driver, driver_id)
    if form is None:
        form = _driver_form(driver_.aim, formdata=False, driver=driver_, obj=driver_)
        form.parent_ids.data = [p.id for p in driver_.parents]
    return render_template(
        "theory/driver.html", driver=driver_, aim=driver_.aim, form=form, confirm_form=ConfirmForm(formdata=None),
        children=[d for d in theory.drivers_of(driver_.aim_id) if driver_ in d.parents],
        ideas=theory_ideas.of_driver(driver_.id), render_markdown=markdown.render,
        status_labels=theory_ideas.STATUS_LABELS,
    ), status


@bp.post("/theory/drivers/<int:driver_id>")
@login_required
@requires("theory.edit")
def update_driver(slug, driver_id):
    driver_ = get_or_404(Driver, driver_id)
    form = _driver_form(driver_.aim, driver=driver_)
    if form.validate_on_submit():
        try:
            theory.update_driver(driver_.id, form_data(form, *DRIVER_FIELDS), _actor())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Driver saved.", "success")
            return redirect(url_for("theory.driver", slug=slug, driver_id=driver_.id))
    return driver(slug, driver_id, form=form, status=422)


@bp.post("/theory/drivers/<int:driver_id>/delete")
@login_required
@requires("theory.edit")
def delete_driver(slug, driver_id):
    driver_ = get_or_404(Driver, driver_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        aim_ = theory.delete_driver(driver_.id, _actor())
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"Not removed: {exc.message}", "error")
        return redirect(url_for("theory.driver", slug=slug, driver_id=driver_.id))
    flash("Driver removed.", "success")
    return redirect(url_for("theory.aim", slug=slug, aim_id=aim_.id))


# --- revisions -------------------------------------------------------------------------

@bp.get("/theory/aims/<int:aim_id>/revisions")
@login_required
@requires("network.view")
def revisions(slug, aim_id):
    aim_ = get_or_404(Aim, aim_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = theory.revisions(aim_.id, page, REVISIONS_PER_PAGE)
    return render_template("theory/revisions.html", aim=aim_, revisions=items,
                           pager=Page(page, REVISIONS_PER_PAGE, total, items))


@bp.get("/theory/aims/<int:aim_id>/revisions/<int:revision_id>")
@login_required
@requires("network.view")
def revision(slug, aim_id, revision_id):
    aim_ = get_or_404(Aim, aim_id)
    found = theory.get_revision(aim_.id, revision_id)
    include_closed = request.args.get("closed") == "1"
    return render_template("theory/revision.html", aim=aim_, revision=found,
                           **diagram_context(slug, found.snapshot or {}, include_closed, check_existing=True))
