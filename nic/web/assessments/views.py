"""Self-assessment round pages under /n/<slug>/assessments: the rounds (open and past),
opening one and closing it (facilitators), and a round's progress per school. A school's
own pages (ratings, team view, consensus) are in nic.web.assessments.school.

Everyone in the network reads rounds and progress; the services decide the rest. Another
network's round, or one that does not exist, is a 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import requires
from nic.services.assessments import assessments
from nic.services.errors import Conflict, ServiceError
from nic.tenancy import current_membership
from nic.web.assessments.forms import CsrfForm, OpenRoundForm, framework_choices
from nic.web.forms import show_service_error
from nic.web.paging import Page

bp = Blueprint("assessments", __name__, url_prefix="/n/<slug>/assessments")

PAST_PER_PAGE = 20
SCHOOLS_PER_PAGE = 50


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def _index_page(slug, form: OpenRoundForm | None, status: int = 200):
    membership = current_membership()
    page = _page_number()
    open_rounds, past, total = assessments.list_rounds(page, PAST_PER_PAGE)
    summaries = {r.id: assessments.round_summary(assessments.progress(r)) for r in open_rounds}
    frameworks = assessments.open_frameworks() if assessments.can_manage(membership) else []
    if form is None and assessments.can_manage(membership):
        form = OpenRoundForm(formdata=None)
    if form is not None:
        form.framework_id.choices = framework_choices(frameworks)
    return render_template(
        "assessments/index.html", open_rounds=open_rounds, past=past, summaries=summaries,
        pager=Page(page, PAST_PER_PAGE, total, past), form=form, frameworks=frameworks,
        my_school_id=membership.school_id,
    ), status


@bp.get("/")
@login_required
@requires("assessments.view")
def index(slug):
    return _index_page(slug, None)


@bp.post("/rounds")
@login_required
@requires("assessments.manage")
def open_round(slug):
    form = OpenRoundForm()
    if form.validate_on_submit():
        try:
            round_ = assessments.open_round(current_membership(), form.framework_id.data, form.name.data,
                                            form.due_on.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Round “{round_.name}” is open. Each school's leadership team can now rate its practices.",
                  "success")
            return redirect(url_for("assessments.show_round", slug=slug, round_id=round_.id))
    return _index_page(slug, form, 422)


@bp.get("/rounds/<int:round_id>")
@login_required
@requires("assessments.view")
def show_round(slug, round_id):
    round_ = assessments.get_round(round_id)
    rows = assessments.progress(round_)
    membership = current_membership()
    page = _page_number()
    shown = rows[(page - 1) * SCHOOLS_PER_PAGE:page * SCHOOLS_PER_PAGE]
    pager = Page(page, SCHOOLS_PER_PAGE, len(rows), shown)
    return render_template(
        "assessments/round.html", round=round_, rows=shown, pager=pager, summary=assessments.round_summary(rows),
        levels=assessments.levels(round_.framework), my_school_id=membership.school_id,
        can_manage=assessments.can_manage(membership),
    )


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@login_required
@requires("assessments.view")
def close_round(slug, round_id):
    round_ = assessments.get_round(round_id)  # another network's round: 404 before the role check
    if not assessments.can_manage(current_membership()):
        abort(403)
    form = CsrfForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            assessments.close_round(current_membership(), round_.id)
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash(f"Round “{round_.name}” is closed. Schools part-way through keep what they recorded, "
                  "marked partial.", "success")
        return redirect(url_for("assessments.show_round", slug=slug, round_id=round_.id))
    if not round_.is_open:
        flash("This round is already closed.", "info")
        return redirect(url_for("assessments.show_round", slug=slug, round_id=round_.id))
    rows = assessments.progress(round_)
    mid_way = [r for r in rows if r.close_state_if_closed == "partial"]
    not_started = [r for r in rows if r.close_state_if_closed == "not_started"]
    return render_template("assessments/close.html", round=round_, form=form, rows=rows, mid_way=mid_way,
                           not_started=not_started)


from nic.web.assessments import school  # noqa: E402,F401  (a school's pages register on this blueprint)
