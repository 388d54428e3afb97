"""Browsing cycles (/n/<slug>/cycles) and the quality table (/n/<slug>/quality). The
cycle pages themselves (show, new) belong to the cycles blueprint."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required

from nic.permissions import requires
from nic.services.cycles import browse
from nic.services.cycles import nudges
from nic.services.errors import ValidationFailed
from nic.tenancy import current_membership
from nic.web.browse.forms import DECISION_LABELS, PHASE_LABELS, BrowseForm, fill_choices
from nic.web.forms import show_service_error
from nic.web.paging import Page

bp = Blueprint("browse", __name__, url_prefix="/n/<slug>")
PER_PAGE = 25


@bp.get("/cycles")
@login_required
@requires("network.view")
def cycles(slug):
    membership = current_membership()
    form = BrowseForm(formdata=request.args)
    fill_choices(form, browse.filter_choices(membership))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    context = dict(form=form, phase_labels=PHASE_LABELS, decision_labels=DECISION_LABELS)
    try:
        filters = browse.parse_filters(request.args)
    except ValidationFailed as exc:
        show_service_error(form, exc)
        return render_template("browse/cycles.html", cycles=None, filters=None, pager=None, **context), 422
    rows, total = browse.browse_page(membership, filters, page, PER_PAGE)
    pager = Page(page, PER_PAGE, total, rows)
    last_page = max(pager.pages, 1)  # Pagination counts no pages in an empty list
    if page > last_page:  # a stale link after cycles went away: the last page there is
        return redirect(url_for("browse.cycles", slug=slug, page=last_page, **filters.as_args()))
    return render_template("browse/cycles.html", cycles=rows, filters=filters, pager=pager, **context)


@bp.get("/quality")
@login_required
@requires("quality.view")
def quality(slug):
    return render_template(
        "browse/quality.html",
        rows=browse.quality_rows(current_membership()),
        codes=nudges.NUDGE_CODES,
        labels=browse.NUDGE_LABELS,
        help=browse.NUDGE_HELP,
    )
