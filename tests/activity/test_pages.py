"""The activity page and the home page's "Latest activity": links to each object,
filters with a plain GET form, an "Older" link, empty states, relative and exact times;
another network's slug is a 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from nic.tenancy import use_network
from nic.web.activity.views import ago
from tests.activity.helpers import T0, at, phase_move
from tests.factories import make_cycle, make_member, make_message, make_network, make_school


def test_the_feed_links_each_item_to_its_object(tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        phase_move(a.cycle, a.teacher_leader.user)
    response = login_as(a.member.user).get("/n/alpha/activity")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/n/alpha/cycles/{a.cycle.id}"' in html
    assert f'href="/n/alpha/artifacts/{a.artifact.id}"' in html
    assert f'href="/n/alpha/threads/{a.thread.id}#message-{a.message.id}"' in html
    assert "moved “Alphaville huddle test one” from Plan to Do" in html
    assert "Alphaville private trial" not in html  # school 0's private cycle; the member is in school 1
    assert re.search(r'<time datetime="[^"]+" title="[^"]+ UTC">just now</time>', html)
    assert 'aria-current="page">Activity</a>' in html


def test_another_networks_feed_is_a_404(tenants, login_as, client):
    login_as(tenants.a.principal.user)
    assert client.get("/n/beta/activity").status_code == 404
    assert client.get("/api/v1/networks/beta/activity").status_code == 404


def test_filters_and_the_older_link(tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        for n in range(35):
            at(make_cycle(a.schools[1], a.member.user, f"Old cycle {n:02}"), T0 - timedelta(minutes=n))
    client = login_as(a.principal.user)
    first = client.get("/n/alpha/activity?kind=cycles").get_data(as_text=True)
    assert "huddle questions" not in first  # discussion is filtered out
    older = re.search(r'href="([^"]*before=[^"]+)"[^>]*>Older', first)
    assert older and "kind=cycles" in older.group(1)
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Old cycle 34" in second and "Old cycle 34" not in first
    assert "← Newest" in second
    by_school = client.get(f"/n/alpha/activity?school_id={a.schools[0].id}").get_data(as_text=True)
    assert "Old cycle" not in by_school and "Alphaville huddle test one" in by_school
    bad = client.get("/n/alpha/activity?kind=dances&before=garbage")
    assert bad.status_code == 422
    assert "What:</span> must be one of" in bad.get_data(as_text=True)


def test_empty_states(db_session, login_as):
    network = make_network("empty", "Empty NIC")
    make_school(network, "Lonely High")
    facilitator = make_member(network, "facilitator")
    db_session.commit()
    client = login_as(facilitator.user)
    assert "No activity yet" in client.get("/n/empty/activity").get_data(as_text=True)
    assert "Nothing matches these filters" in client.get("/n/empty/activity?kind=discussion").get_data(as_text=True)
    home = client.get("/n/empty/").get_data(as_text=True)
    assert "Latest activity" in home and "Nothing yet" in home


def test_home_shows_the_five_newest_with_a_link_to_the_feed(tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        newest = [make_message(a.thread, a.principal.user, f"Fresh note {n}") for n in range(6)]
        for n, message in enumerate(newest):
            at(message, datetime.now(UTC) + timedelta(minutes=n + 1))
    home = login_as(a.member.user).get("/n/alpha/").get_data(as_text=True)
    section = home[home.index("Latest activity") : home.index('id="schools-title"')]
    assert section.count('class="activity-item ') == 5
    assert "Fresh note 5" in section and "Fresh note 0" not in section
    assert 'href="/n/alpha/activity"' in section


def test_relative_times():
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert ago(now - timedelta(hours=3, minutes=5), now) == "3 hours ago"
    assert ago(now - timedelta(days=1, hours=2), now) == "yesterday"
    assert ago(now - timedelta(days=12), now) == "12 days ago"
    assert ago(now - timedelta(days=45), now) == "1 month ago"
    assert ago(now - timedelta(days=800), now) == "2 years ago"
