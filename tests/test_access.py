"""Access (issue 15): CSRF on every POST, the account pages' rate limits, a password reset that names nobody,
production cookies. Each test decides by what changed in the database or the outbox, not by the status alone.

Which member may reach which private row (notifications, ledger, redemptions, RSVPs, votes) is decided in
tests/test_permissions_table.py; the CSRF walk below reuses its URL walk and its cases.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from community.members.models import User
from forums.models import Reaction, Subscription
from tests.factories import PASSWORD, UserFactory, make_thread
from tests.test_permissions_table import STATE_CHANGING, case_for, world  # noqa: F401  (world: the table's fixture)

pytestmark = pytest.mark.django_db

# -- CSRF ---------------------------------------------------------------------------------------------

# A value each path converter accepts: the middleware refuses before the view looks the row up.
SAMPLE_ARGUMENT = {"IntConverter": 1, "StringConverter": "x", "SlugConverter": "x", "PathConverter": "x",
                   "UUIDConverter": "00000000-0000-0000-0000-000000000000"}


def _every_route():
    """(name, url, view) of every named route of the site, allauth's included (the admin has its own tests)."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name, pattern

    for name, pattern in walk(get_resolver().url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        if converters:
            kwargs = {key: SAMPLE_ARGUMENT[type(converter).__name__] for key, converter in converters.items()}
        else:  # allauth's re_path() routes: their groups take keys like "MQ:1a2b-x"
            kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "MQ-x")
        yield name, reverse(name, kwargs=kwargs), pattern.callback


def _row_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.managed}


def test_no_view_of_the_site_is_exempt_from_csrf():
    exempt = [name for name, _url, view in _every_route() if getattr(view, "csrf_exempt", False)]
    assert exempt == []


def test_a_post_without_the_token_is_refused_by_every_route_and_writes_nothing(member, manager):
    for actor in (None, member, manager):
        client = Client(enforce_csrf_checks=True)
        if actor is not None:
            client.force_login(actor)
        client.get("/")  # the day's visit is recorded on the first page, before the counts are taken
        before = _row_counts()
        answers = {name: client.post(url, {"body": "x", "action": "like"}).status_code for name, url, _view in _every_route()}
        assert {name: status for name, status in answers.items() if status != 403} == {}
        assert _row_counts() == before


@pytest.mark.parametrize("name", sorted(name for name, (method, _roles) in STATE_CHANGING.items() if method == "post"))
def test_each_state_changing_post_without_the_token_changes_nothing_for_a_role_it_allows(world, name):  # noqa: F811
    _method, allowed_roles = STATE_CHANGING[name]
    role = next((role for role in ("member", "manager", "admin") if role in allowed_roles), "admin")
    actor = world.people[role]
    case = case_for(name, world, actor)
    before = case.probe()
    client = Client(enforce_csrf_checks=True)
    client.force_login(actor)
    response = client.post(reverse(name.split("@")[0], args=case.args), case.data)
    assert response.status_code == 403, f"{name} for {role}"
    assert case.probe() == before, f"{name} for {role}: changed without a CSRF token"


def _page_token(client) -> str:
    """The token htmx sends (static/js/site.js reads it from the page's <meta name="csrf-token">)."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/").content.decode()).group(1)


def test_an_htmx_post_is_accepted_with_the_header_token_and_refused_without(member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("forums:watch", args=[thread.pk])
    refused = client.post(url, {"action": "watch"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and not Subscription.objects.filter(member=member, thread=thread).exists()
    forged = client.post(url, {"action": "watch"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN="x" * 64)
    assert forged.status_code == 403 and not Subscription.objects.filter(member=member, thread=thread).exists()
    accepted = client.post(url, {"action": "watch"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=_page_token(client))
    assert accepted.status_code == 200 and Subscription.objects.filter(member=member, thread=thread).exists()


def test_one_members_token_does_not_pass_for_another(member, other_member, category):
    post = make_thread(author=other_member, category=category).posts.get()
    theirs = Client(enforce_csrf_checks=True)
    theirs.force_login(other_member)
    token = _page_token(theirs)
    mine = Client(enforce_csrf_checks=True)
    mine.force_login(member)
    mine.get("/")  # my own CSRF cookie
    response = mine.post(reverse("forums:post_like", args=[post.pk]), {"action": "like"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 403 and not Reaction.objects.exists()


# -- rate limits on the account pages (allauth's ACCOUNT_RATE_LIMITS) ----------------------------------

TOO_MANY = "Be patient, you are sending too many requests."  # allauth's words, in the site's page (templates/429.html)


def _verified(username: str) -> User:
    user = UserFactory(username=username)
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failed_logins_from_one_address_are_limited_whatever_the_account(client):
    for attempt in range(10):
        response = client.post("/accounts/login/", {"login": f"someone{attempt}", "password": "guess"})
        assert response.status_code == 200
    honest = _verified("honest")
    blocked = client.post("/accounts/login/", {"login": honest.username, "password": PASSWORD})
    assert blocked.status_code == 200 and not _signed_in(client)
    assert "Too many failed login attempts" in blocked.content.decode()
    # Another address is not held back by this one's attempts.
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    elsewhere.post("/accounts/login/", {"login": honest.username, "password": PASSWORD})
    assert _signed_in(elsewhere)


def test_login_posts_from_one_address_are_limited_to_thirty_a_minute(client):
    honest = _verified("honest")
    for _attempt in range(30):
        assert client.post("/accounts/login/", {"login": "", "password": ""}).status_code == 200
    blocked = client.post("/accounts/login/", {"login": honest.username, "password": PASSWORD})
    assert blocked.status_code == 429 and TOO_MANY in blocked.content.decode() and 'class="site-header"' in blocked.content.decode()
    assert not _signed_in(client)


def test_sign_ups_from_one_address_are_limited_to_twenty_a_minute(client):
    for attempt in range(20):
        client.post("/accounts/signup/", {"email": f"n{attempt}@example.org", "username": f"new{attempt}",
                                          "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    assert User.objects.count() == 20
    blocked = client.post("/accounts/signup/", {"email": "late@example.org", "username": "late",
                                                "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    assert blocked.status_code == 429 and TOO_MANY in blocked.content.decode()
    assert not User.objects.filter(username="late").exists() and len(mail.outbox) == 20


def test_password_resets_for_one_email_are_limited_to_five_a_minute(client, member):
    for _attempt in range(5):
        assert client.post("/accounts/password/reset/", {"email": member.email}).status_code == 302
    assert len(mail.outbox) == 5
    blocked = client.post("/accounts/password/reset/", {"email": member.email})
    assert blocked.status_code == 429 and TOO_MANY in blocked.content.decode()
    assert len(mail.outbox) == 5


def test_password_resets_from_one_address_are_limited_to_twenty_a_minute(client, member):
    for attempt in range(20):
        client.post("/accounts/password/reset/", {"email": f"nobody{attempt}@example.org"})
    blocked = client.post("/accounts/password/reset/", {"email": member.email})
    assert blocked.status_code == 429 and TOO_MANY in blocked.content.decode()
    assert mail.outbox == []


# -- a password reset and a sign-up name nobody -------------------------------------------------------


def _as_seen(response) -> tuple:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|name="csrf-token" content="[^"]+"', "", response.content.decode())
    return response.status_code, response.get("Location"), body


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_email_and_mails_only_the_known(member):
    known, unknown = Client(), Client(REMOTE_ADDR="10.0.0.2")
    answers = [client.post("/accounts/password/reset/", {"email": email}, follow=True)
               for client, email in ((known, member.email), (unknown, "nobody@example.org"))]
    assert _as_seen(answers[0]) == _as_seen(answers[1])
    assert answers[0].redirect_chain == answers[1].redirect_chain == [("/accounts/password/reset/done/", 302)]
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_sign_up_with_a_taken_email_answers_as_a_new_one_and_creates_no_account(member):
    data = {"username": "someone", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    taken = Client().post("/accounts/signup/", {**data, "email": member.email})
    fresh = Client(REMOTE_ADDR="10.0.0.2").post("/accounts/signup/", {**data, "username": "another", "email": "fresh@example.org"})
    assert (taken.status_code, taken.get("Location")) == (fresh.status_code, fresh.get("Location")) == (302, "/accounts/confirm-email/")
    assert not User.objects.filter(username="someone").exists() and User.objects.filter(username="another").exists()
    # The owner of the taken address hears of it; nothing reaches the person signing up.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([member.email, "fresh@example.org"])


def test_behind_the_proxy_each_visitor_is_limited_by_their_own_address_and_cannot_forge_another(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # production's default (community/settings.py)
    proxy = "10.9.9.9"  # every request reaches gunicorn from the TLS terminator
    for attempt in range(10):
        # The attacker's own X-Forwarded-For value is kept by the proxy, which appends the address it saw.
        client.post("/accounts/login/", {"login": f"someone{attempt}", "password": "guess"},
                    REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, 203.0.113.7")
    blocked = client.post("/accounts/login/", {"login": "x", "password": "y"}, REMOTE_ADDR=proxy,
                          HTTP_X_FORWARDED_FOR="1.2.3.99, 203.0.113.7")
    assert "Too many failed login attempts" in blocked.content.decode()
    honest = _verified("honest")
    other = Client()
    other.post("/accounts/login/", {"login": honest.username, "password": PASSWORD}, REMOTE_ADDR=proxy,
               HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert _signed_in(other)


# -- someone else's notification by its id (the table judges the read mark; this, what the answer gives away) --


@pytest.mark.parametrize("method, route", [("get", "notifications:open"), ("post", "notifications:mark_read")])
def test_someone_elses_notification_by_id_is_a_404_that_says_nothing_of_it(member, other_member, category, method, route):
    from community.notifications.models import Kind, Notification
    from community.notifications.services import notify

    thread = make_thread(author=member, category=category, title="Olga's private trail")
    note = notify(recipient=other_member, kind=Kind.REPLY, dedupe_key="idor", actor=member, thread=thread)
    client = Client()
    client.force_login(member)
    response = getattr(client, method)(reverse(route, args=[note.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 404 and not response.has_header("Location")
    assert "Olga's private trail" not in response.content.decode()
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_the_refusal_speaks_the_visitors_language(member):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    for _attempt in range(6):
        response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 429 and "вы отправляете слишком много запросов" in response.content.decode()


def test_a_login_code_is_asked_for_alike_for_a_known_and_an_unknown_email_and_mailed_only_to_the_known(member):
    known = Client().post("/accounts/login/code/", {"email": member.email})
    unknown = Client(REMOTE_ADDR="10.0.0.2").post("/accounts/login/code/", {"email": "nobody@example.org"})
    assert (known.status_code, known.get("Location")) == (unknown.status_code, unknown.get("Location"))
    assert known.status_code == 302
    assert [message.to for message in mail.outbox] == [[member.email]]
