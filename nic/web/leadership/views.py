"""The network's view of leadership practice, /n/<slug>/leadership: the heatmap of schools x
practices by agreed level (with its live fragment), one school's panel (weakest practices,
linked change ideas, peers to learn from, "Start a discussion"), and one cell's consensus.

Everyone in the network reads these pages: they show the teams' agreed levels, which are
shared with the network, and never an individual rating. The logic is in
nic.services.assessments.leadership and nic.services.assessments.leadership_school.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import requires
from nic.services.assessments import leadership
from nic.services.assessments import leadership_school
from nic.services.errors import RateLimited, ServiceError
from nic.services.discussion.markdown import render as markdown
from nic.tenancy import current_membership
from nic.web.forms import is_page_error
from nic.web.leadership.forms import DiscussForm, LeadershipFilterForm, fill_choices
from nic.web.paging import Page

bp = Blueprint("leadership", __name__, url_prefix="/n/<slug>/leadership")

def _page() -> int:
    raw = request.args.get("page", "")
    return max(int(raw), 1) if raw.isdigit() else 1


@bp.get("")
@login_required
@requires("assessments.view")
def network(slug):
    round_ = leadership.pick_round(request.args.get("round_id"))
    groups = leadership.groups()
    group = request.args.get("group", "")
    group = group if group in groups else ""
    form = LeadershipFilterForm(formdata=None, round_id=str(round_.id) if round_ else "", group=group)
    fill_choices(form, leadership.round_choices(), groups)
    context = dict(round=round_, group=group, form=form, args={})
    if round_ is not None:
        schools, total = leadership.school_page(group, _page())
        context.update(view=leadership.heatmap(round_, schools),
                       pager=Page(_page(), leadership.SCHOOLS_PER_PAGE, total, schools),
                       args={k: v for k, v in (("round_id", round_.id), ("group", group)) if v})
    if request.args.get("fragment"):
        return render_template("leadership/_body.html", **context)
    return render_template("leadership/network.html", **context)


@bp.get("/schools/<int:school_id>")
@login_required
@requires("assessments.view")
def school(slug, school_id):
    school = leadership_school.get_school(school_id)
    round_ = leadership.pick_round(request.args.get("round_id"))
    context = dict(school=school, round=round_, view=None, weak=[], form=DiscussForm(formdata=None))
    if round_ is not None:
        # The school's own row of the heatmap: where its team agreed it stands on every practice.
        context.update(view=leadership.heatmap(round_, [school]), weak=leadership_school.weakest(round_, school.id))
    return render_template("leadership/school.html", **context)


@bp.post("/schools/<int:school_id>/discuss")
@login_required
@requires("assessments.view")
def discuss(slug, school_id):
    form = DiscussForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("leadership.school", slug=slug, school_id=school_id,
                   **({"round_id": form.round_id.data} if (form.round_id.data or "").isdigit() else {}))
    try:
        thread, started = leadership_school.start_discussion(current_membership(), school_id, form.peer_id.data,
                                                             form.practice_id.data)
    except RateLimited as exc:
        flash(exc.message, "error")
        return redirect(back)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"The discussion was not started: {exc.message}", "error")
        return redirect(back)
    if not started:
        flash("This discussion was already started: here it is.", "info")
    return redirect(url_for("discussion.thread", slug=slug, thread_id=thread.id))


@bp.get("/rounds/<int:round_id>/schools/<int:school_id>/practices/<int:practice_id>")
@login_required
@requires("assessments.view")
def consensus(slug, round_id, school_id, practice_id):
    detail = leadership.consensus_detail(current_membership(), round_id, school_id, practice_id)
    return render_template("leadership/consensus.html", d=detail, md=markdown)
