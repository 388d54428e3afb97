"""Worksheet text is Markdown rendered safe; over-long input is a field error, never a 500."""

import re

import pytest

from tests.cycles.conftest import form_for, history_of, reload
from tests.factories import make_token

HOSTILE = (
    "<script>alert('x')</script>\n\n"
    '<iframe src="https://evil.example"></iframe>\n\n'
    "[click me](javascript:alert(1)) and <img src=x onerror=alert(2)>\n\n"
    "**still bold**"
)


def test_script_iframes_and_javascript_links_render_inert(client, a, login_as):
    login_as(a.teacher_leader.user)
    cycle = reload(a, a.cycle.id)
    data = form_for(
        cycle,
        plan_objective=HOSTILE,
        do_observations=HOSTILE,
        act_reason=HOSTILE,
        **{"questions-0-prediction": HOSTILE, "questions-0-result": HOSTILE},
    )
    stale_form = form_for(cycle, plan_objective=HOSTILE + "!")  # opened before the save below
    assert client.post(f"/n/alpha/cycles/{cycle.id}/edit", data=data).status_code == 302
    html = client.get(f"/n/alpha/cycles/{cycle.id}").get_data(as_text=True)
    assert "<strong>still bold</strong>" in html
    assert "<script>alert" not in html and "<iframe" not in html and "<img" not in html
    assert not re.search(r"<[^>]*onerror", html)  # shown as text at most, never as an attribute
    assert not re.search(r"href=[\"']?\s*javascript:", html, re.I)
    assert "&lt;script&gt;" in html
    # history and the conflict page show the text as text, never as HTML
    history = client.get(f"/n/alpha/cycles/{cycle.id}/history").get_data(as_text=True)
    assert "<script>alert" not in history and "&lt;script&gt;" in history
    stale = client.post(f"/n/alpha/cycles/{cycle.id}/edit", data=stale_form)
    assert stale.status_code == 409
    assert "<script>alert" not in stale.get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "t" * 201, "must be at most 200 characters"),
        ("plan_objective", "o" * 20_001, "must be at most 20,000 characters"),
        ("plan_measure", "m" * 201, "must be at most 200 characters"),
        ("act_next", "n" * 20_001, "must be at most 20,000 characters"),
        ("questions-0-question", "q" * 2_001, "must be at most 2,000 characters"),
        ("scale_count", "lots", "must be a whole number"),
        ("start_date", "next tuesday", "must be a date"),
        ("end_date", "2020-01-01", "must be on or after the start date"),
    ],
)
def test_bad_or_over_long_fields_are_field_errors(client, a, login_as, field, value, message):
    login_as(a.teacher_leader.user)
    cycle = reload(a, a.cycle.id)
    data = form_for(cycle, **{"start_date": "2026-01-05", field: value})
    before = len(history_of(a, cycle.id))
    response = client.post(f"/n/alpha/cycles/{cycle.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'class="field-error"' in html and 'aria-invalid="true"' in html
    assert len(history_of(a, cycle.id)) == before and reload(a, cycle.id).version == cycle.version


def test_a_new_cycle_needs_a_title_and_a_question_needs_its_text(client, a, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(
        "/n/alpha/cycles/new",
        data={
            "title": "  ",
            "owner_id": str(a.teacher_leader.user.id),
            "visibility": "school",
            "scale_unit": "students",
            "questions-0-question": "",
            "questions-0-prediction": "A prediction with no question",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Title:</span> is required" in html
    assert "is required when a prediction or result is given" in html


def test_over_long_fields_over_the_api_name_the_json_key(client, a):
    _, secret = make_token(a.teacher_leader.user)
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.post(
        "/api/v1/networks/alpha/cycles",
        headers=headers,
        json={
            "title": "x" * 201,
            "plan": {"objective": "o" * 20_001, "questions": [{"question": "q" * 2_001}]},
            "act": {"reason": "r" * 20_001},
            "scale": {"count": 0},
        },
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"title", "plan.objective", "plan.questions.0.question", "act.reason", "scale.count"}
    assert "200" in fields["title"]
