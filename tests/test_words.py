"""One helper makes a noun agree with its number (nic.words), in Python sentences and in
templates (the `plural` filter, the `noun` global, the ui.count macro). Issue 14: a
cycle's scale read "1 teachers"."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from nic import words
from nic.extensions import db
from nic.models import Cycle
from nic.tenancy import use_network
from tests.factories import make_cycle


@pytest.mark.parametrize(
    "n, one, many, text",
    [
        (0, "teacher", None, "0 teachers"),
        (1, "teacher", None, "1 teacher"),
        (2, "teacher", None, "2 teachers"),
        (1, "class", "classes", "1 class"),
        (3, "class", "classes", "3 classes"),
        (1, "other", "other", "1 other"),
        (1_200, "point", None, "1,200 points"),
        (-1, "day", None, "-1 day"),
    ],
)
def test_plural(n, one, many, text):
    assert words.plural(n, one, many) == text
    assert words.noun(n, one, many) == text.split(" ", 1)[1]


def test_the_templates_use_the_same_helper(app):
    with app.app_context():
        rendered = render_template_string(
            "{{ 1|plural('teacher') }}|{{ 2|plural('class', 'classes') }}|{{ noun(1, 'cycle') }}|"
            "{% import 'macros/ui.html' as ui %}{{ ui.count(1, 'school', 'schools') }}"
        )
    assert rendered == "1 teacher|2 classes|cycle|1 school"


@pytest.mark.parametrize(
    "count, unit, text",
    [
        (1, "teachers", "1 teacher"),
        (4, "teachers", "4 teachers"),
        (1, "classes", "1 class"),
        (1, "students", "1 student"),
        (2, "other", "2 other"),
        (None, "students", None),
    ],
)
def test_a_cycles_scale_in_words(count, unit, text):
    assert Cycle(scale_count=count, scale_unit=unit).scale == text


def test_one_teacher_on_the_cycle_page_and_the_change_ideas_page(client, tenants, login_as):
    a = tenants.a
    cycle = make_cycle(
        a.schools[0],
        a.teacher_leader.user,
        "Alphaville one-teacher pilot",
        change_idea=a.change_idea,
        scale_count=1,
        scale_unit="teachers",
    )
    db.session.commit()
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/{a.network.slug}/cycles/{cycle.id}").get_data(as_text=True)
    assert re.search(r"<dt>Scale</dt><dd>1 teacher</dd>", page)
    idea_page = client.get(f"/n/{a.network.slug}/change-ideas/{a.change_idea.id}").get_data(as_text=True)
    assert "<td>1 teacher</td>" in idea_page
    assert "1 teachers" not in page + idea_page
    with use_network(a.network):
        assert db.session.get(Cycle, cycle.id).scale == "1 teacher"
