"""@mentions: full names (longest match, word boundary, any case), unique first names,
members of this network only, and rendering that cannot be turned into markup."""

from markupsafe import Markup

from nic.services.discussion import mentions
from nic.services.discussion.discussion import message_payload
from nic.services.discussion.markdown import render as render_markdown
from nic.tenancy import use_network
from tests.factories import make_member, make_message, make_user

PEOPLE = [(1, "Maria Lopez"), (2, "Maria Lopez Garcia"), (3, "Sam Okafor"), (4, "Sam Reyes"), (5, "Lucía Fernández")]


def linked(body: str, people=PEOPLE):
    html, ids = mentions.link_mentions(str(render_markdown(body)), mentions.Directory.of(people))
    return str(html), ids


def test_the_longest_full_name_wins_and_must_end_at_a_word_boundary():
    html, ids = linked("@Maria Lopez Garcia can you share? cc @maria lopez, and @Maria Lopezz")
    assert ids == [2, 1]
    assert '<span class="mention" data-user-id="2">@Maria Lopez Garcia</span> can you share?' in html
    assert '<span class="mention" data-user-id="1">@maria lopez</span>,' in html
    # "Lopezz" is not a name; "@Maria" alone is no one's either (two Marias).
    assert "@Maria Lopezz" in html and html.count('class="mention"') == 2


def test_a_first_name_mentions_only_when_exactly_one_member_has_it():
    html, ids = linked("@Lucía and @lucía! but not @Sam, who is two people; @Sam Reyes is one")
    assert ids == [5, 4]
    assert html.count('data-user-id="5"') == 2
    assert "not @Sam, who" in html


def test_an_email_address_or_a_code_span_or_a_link_is_not_a_mention():
    html, ids = linked("write to team@Sam Okafor.org, or `@Sam Okafor`, or [@Sam Okafor](https://x.test/)")
    assert ids == [] and 'class="mention"' not in html


def test_mentions_inside_emphasis_and_lists_still_count():
    html, ids = linked("- **@Sam Okafor** please\n- and _@Sam Reyes_")
    assert ids == [3, 4]
    assert '<strong><span class="mention" data-user-id="3">@Sam Okafor</span></strong>' in html


def test_a_hostile_name_or_body_cannot_inject_markup():
    people = [(7, '<img src=x onerror="alert(1)">'), (8, 'Eve "><script>alert(2)</script>')]
    body = (
        '@<img src=x onerror="alert(1)"> and @Eve "><script>alert(2)</script> '
        '<span class="mention" data-user-id="1">@forged</span> [x](javascript:alert(3))'
    )
    html, ids = linked(body, people)
    assert ids == [7, 8]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert 'data-user-id="1"' not in html  # a span in the body is escaped text, not a mention
    assert '<span class="mention" data-user-id="7">@&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</span>' in html
    assert html.count("<span") == 2


def test_entities_and_quotes_survive_the_round_trip():
    html, _ = linked('Tom & Jerry say "hi" <3 @Sam Okafor\n\n> quoted @Lucía [link](https://a.test/?q=1&r=2 "ti>tle")')
    assert "Tom &amp; Jerry say &#34;hi&#34; &lt;3" in html
    assert '<a href="https://a.test/?q=1&amp;r=2" title="ti&gt;tle" rel="noopener noreferrer nofollow">link</a>' in html
    assert '<blockquote>\n<p>quoted <span class="mention" data-user-id="5">@Lucía</span>' in html


def test_only_members_of_the_messages_network_are_mentioned(tenants):
    a, b = tenants.a, tenants.b
    with use_network(a.network):
        message = make_message(a.thread, a.member.user, f"@{b.principal.user.name} and @{a.principal.user.name}")
        payload = message_payload(message)
        assert mentions.mentioned_ids(message.body, a.network.id) == [a.principal.user.id]
    assert payload["body_html"] == (
        f'<p>@{b.principal.user.name} and <span class="mention" '
        f'data-user-id="{a.principal.user.id}">@{a.principal.user.name}</span></p>\n'
    )


def test_the_page_renderer_reads_the_members_once(tenants, db_session):
    a = tenants.a
    with use_network(a.network):
        new = make_member(a.network, "member", a.schools[1], make_user(name="Zed Quill"))
        md = mentions.renderer(a.network.id)
        assert isinstance(md("plain"), Markup)
        assert f'data-user-id="{new.user_id}"' in md("hi @Zed")
        assert md("**no at sign**") == render_markdown("**no at sign**")
