"""A school's pages in a round, under /n/<slug>/assessments/rounds/<round_id>/schools/<school_id>:

- "My ratings" (?view=mine): the leadership team's own rating of each practice, saved one
  practice at a time or all at once (static/js/assessment.js saves one without a reload).
- "Team view" (?view=team): everyone's ratings side by side with their spread, for
  members of the school only (anyone else gets a 404, as for the API).
- "Consensus" (?view=consensus, what everyone else sees): each practice's agreed level,
  notes and evidence, with a page per practice to record it.

Everything works without JavaScript. A closed round shows read-only, marked partial where
the school was part-way through."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import requires
from nic.services.assessments import evidence as assessment_evidence
from nic.services.assessments import ratings as assessment_ratings
from nic.services.assessments import assessments
from nic.services.errors import ServiceError
from nic.tenancy import current_membership
from nic.web.assessments.forms import CsrfForm, posted_evidence
from nic.web.assessments.views import bp
from nic.web.forms import is_page_error

VIEWS = ("mine", "team", "consensus")


def _load(round_id, school_id):
    return assessments.get_round(round_id), assessments.get_school(school_id)


def _domains(round_):
    """[(domain name, [practice rows])] in framework order, each practice with its text."""
    texts = assessments.practice_texts(round_.framework)
    grouped: list[tuple[str, list]] = []
    for practice in round_.framework.practices:
        if not grouped or grouped[-1][0] != practice.domain:
            grouped.append((practice.domain, []))
        grouped[-1][1].append((practice, texts.get(practice.key, {})))
    return grouped


def _context(round_, school, view: str) -> dict:
    membership = current_membership()
    may_rate = assessments.can_rate(membership, school.id)
    may_read = assessments.can_read_ratings(membership, school.id)
    if view not in VIEWS or (view == "mine" and not may_rate) or (view == "team" and not may_read):
        view = "mine" if may_rate and round_.is_open else "consensus"
    consensus = {c.practice_id: c for c in assessment_ratings.round_consensus(round_, school.id)}
    spreads = {}
    raters = []
    if may_read and view in ("team", "consensus"):
        _round, ratings = assessment_ratings.school_ratings(membership, round_.id, school.id)
        spreads = assessment_ratings.team_view(ratings)
        raters = sorted({r.user.id: r.user for r in ratings}.values(), key=lambda u: (u.name, u.id))
    return {
        "round": round_, "school": school, "view": view, "levels": assessments.levels(round_.framework),
        "domains": _domains(round_), "may_rate": may_rate, "may_read": may_read,
        "editable": may_rate and round_.is_open, "standing": assessments.school_progress(round_, school.id),
        "consensus": consensus, "shown": assessment_evidence.visible_evidence(membership, list(consensus.values())),
        "spreads": spreads, "raters": raters,
        "mine": assessment_ratings.my_ratings(round_, membership.user_id) if may_rate else {},
        "form": CsrfForm(formdata=None), "errors": {}, "posted": None,
    }


@bp.get("/rounds/<int:round_id>/schools/<int:school_id>")
@login_required
@requires("assessments.view")
def school_page(slug, round_id, school_id):
    round_, school = _load(round_id, school_id)
    return render_template("assessments/school.html", **_context(round_, school, request.args.get("view", "")))


def _posted_ratings(round_, only) -> tuple[list[dict], list[int]]:
    """The practices to save, from the form: one (the button pressed) or every practice
    given a level."""
    items, ids = [], []
    for practice in round_.framework.practices:
        if only and str(practice.id) != only:
            continue
        level = request.form.get(f"level-{practice.id}")
        if not level and not only:
            continue
        items.append({"practice_id": practice.id, "level": level, "note": request.form.get(f"note-{practice.id}", "")})
        ids.append(practice.id)
    return items, ids


@bp.post("/rounds/<int:round_id>/schools/<int:school_id>/ratings")
@login_required
@requires("assessments.view")
def save_ratings(slug, round_id, school_id):
    round_, school = _load(round_id, school_id)
    form = CsrfForm()
    only = request.form.get("only") or ""
    items, ids = _posted_ratings(round_, only)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        if not items:
            errors["form"] = "Choose a level for at least one practice, then save."
        else:
            try:
                assessment_ratings.record_ratings(current_membership(), round_.id, school.id, items,
                                                  name=lambda index, field: f"{field}-{ids[index]}")
            except ServiceError as exc:
                if is_page_error(exc):
                    raise
                errors = dict(exc.fields) if exc.fields else {"form": exc.message}
            else:
                flash("Your rating is saved." if only else f"Your {len(items)} ratings are saved.", "success")
                anchor = f"practice-{only}" if only else None
                return redirect(url_for("assessments.school_page", slug=slug, round_id=round_.id,
                                        school_id=school.id, view="mine", _anchor=anchor))
    else:
        errors["form"] = "This form was open too long or came from another page. Please try again."
    context = _context(round_, school, "mine")
    context.update(errors=errors, posted=request.form, form=form)
    return render_template("assessments/school.html", **context), 422


@bp.route("/rounds/<int:round_id>/schools/<int:school_id>/practices/<int:practice_id>", methods=["GET", "POST"])
@login_required
@requires("assessments.view")
def consensus(slug, round_id, school_id, practice_id):
    membership = current_membership()
    round_, school, practice, current = assessment_ratings.get_consensus(round_id, school_id, practice_id)
    may_rate = assessments.can_rate(membership, school.id)
    form = CsrfForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = "This form was open too long or came from another page. Please try again."
        else:
            try:
                assessment_ratings.record_consensus(
                    membership, round_.id, school.id, practice.id, request.form.get("level"),
                    request.form.get("notes", ""), posted_evidence(request.form.getlist("evidence")),
                    request.form.get("version"))
            except ServiceError as exc:
                if is_page_error(exc):
                    raise
                errors = dict(exc.fields) if exc.fields else {"form": exc.message}
                status = exc.status
            else:
                flash(f"Consensus on “{practice.name}” is saved.", "success")
                return redirect(url_for("assessments.school_page", slug=slug, round_id=round_.id,
                                        school_id=school.id, view="consensus", _anchor=f"practice-{practice.id}"))
        status = status if status != 200 else 422
    # Reload after a refused save: a stale version shows the latest consensus beside what was sent.
    round_, school, practice, current = assessment_ratings.get_consensus(round_.id, school.id, practice.id)
    may_read = assessments.can_read_ratings(membership, school.id)
    spread = None
    if may_read:
        _round, ratings = assessment_ratings.school_ratings(membership, round_.id, school.id)
        spread = assessment_ratings.team_view(ratings).get(practice.id)
    editable = may_rate and round_.is_open
    practices = round_.framework.practices
    position = practices.index(practice)
    return render_template(
        "assessments/consensus.html", round=round_, school=school, practice=practice,
        text=assessments.practice_texts(round_.framework).get(practice.key, {}), current=current,
        levels=assessments.levels(round_.framework), may_rate=may_rate, editable=editable, spread=spread,
        shown=assessment_evidence.visible_evidence(membership, [current] if current else []),
        choices=assessment_evidence.choices(membership, round_, school.id) if editable else None,
        standing=assessments.school_progress(round_, school.id), form=form, errors=errors,
        posted=request.form if request.method == "POST" else None,
        chosen_evidence=(request.form.getlist("evidence") if request.method == "POST"
                         else [f"{e.kind}:{e.target_id}" for e in (current.evidence if current else [])]),
        previous=practices[position - 1] if position > 0 else None,
        following=practices[position + 1] if position + 1 < len(practices) else None,
    ), status


@bp.post("/rounds/<int:round_id>/schools/<int:school_id>/finished")
@login_required
@requires("assessments.view")
def finished(slug, round_id, school_id):
    round_, school = _load(round_id, school_id)
    form = CsrfForm()
    done = request.form.get("finished", "1") == "1"
    if form.validate_on_submit():
        try:
            assessment_ratings.set_finished(current_membership(), round_.id, school.id, done)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            flash(exc.message.replace("consensus: ", "Not finished yet: "), "error")
        else:
            flash("The team's consensus is marked finished." if done else "The consensus is open again for changes.",
                  "success")
    return redirect(url_for("assessments.school_page", slug=slug, round_id=round_.id, school_id=school.id,
                            view="consensus"))
