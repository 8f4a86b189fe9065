"""Accounts (allauth), profiles and settings."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from community.members.models import Profile, Tier, User
from tests.factories import PASSWORD, TagFactory, make_thread

pytestmark = pytest.mark.django_db


def test_sign_up_asks_only_email_username_password_and_requires_verification(client):
    page = client.get("/accounts/signup/").content.decode()
    fields = set(re.findall(r'<input[^>]* name="(\w+)"', page)) - {"csrfmiddlewaretoken", "q"}
    assert fields == {"email", "username", "password1", "password2"}
    response = client.post("/accounts/signup/", {
        "email": "new@example.org", "username": "newbie", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase",
    })
    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    user = User.objects.get(username="newbie")
    assert user.tier == Tier.NEWCOMER
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session  # not logged in before verifying
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1)
    client.post(link)
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_unverified_member_cannot_log_in(client):
    user = User.objects.create_user(username="pending", email="pending@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.post("/accounts/login/", {"login": "pending", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_verified_member_logs_in_with_username_or_email_and_out(client, member):
    client.post("/accounts/login/", {"login": member.username, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(member.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_wrong_password_is_refused_and_rate_limited(client, member):
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"login": member.username, "password": "nope"})
        assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    blocked = client.post("/accounts/login/", {"login": member.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


def test_password_reset_sends_a_link(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_login_by_code_sends_a_code_and_logs_in(client, member):
    client.post("/accounts/login/code/", {"email": member.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.MULTILINE).group(1)
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_usernames_are_unique_whatever_the_case(client):
    User.objects.create_user(username="Alice", email="a@example.org", password=PASSWORD)
    response = client.post("/accounts/signup/", {
        "email": "b@example.org", "username": "alice", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase",
    })
    assert response.status_code == 200 and User.objects.count() == 1


def test_profile_shows_member_and_recent_posts(client, member, category):
    make_thread(author=member, category=category, title="My visible thread")
    html = client.get(f"/u/{member.username}/").content.decode()
    assert "My visible thread" in html and "1 post" in html


def test_profile_of_unknown_member_is_404(client):
    assert client.get("/u/nobody-here/").status_code == 404


def test_profile_page_runs_a_constant_number_of_queries(client, member, category, django_assert_max_num_queries):
    for i in range(25):
        make_thread(author=member, category=category, title=f"Thread {i}")
    with django_assert_max_num_queries(15):
        assert client.get(f"/u/{member.username}/").status_code == 200


def test_settings_save_optional_profile_fields(client, member):
    TagFactory(name="python")
    client.force_login(member)
    response = client.post("/settings/", {
        "display_name": "Mo M.", "language": "ru", "timezone": "Europe/Moscow", "bio": "I like **tea** <script>x</script>",
        "interests": "python", "birthday_day": "29", "birthday_month": "2",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    profile = Profile.objects.get(user=member)
    assert (member.display_name, member.language, member.timezone) == ("Mo M.", "ru", "Europe/Moscow")
    assert "<strong>tea</strong>" in profile.bio_html and "<script>" not in profile.bio_html
    assert (profile.birthday_day, profile.birthday_month) == (29, 2)
    assert list(profile.interests.values_list("name", flat=True)) == ["python"]


@pytest.mark.parametrize("day, month", [("31", "4"), ("5", ""), ("", "5")])
def test_settings_refuse_impossible_birthdays(client, member, day, month):
    client.force_login(member)
    response = client.post("/settings/", {"timezone": "UTC", "birthday_day": day, "birthday_month": month, "bio": "kept bio"})
    assert response.status_code == 200 and "kept bio" in response.content.decode()
    assert not Profile.objects.filter(user=member).exists()


def test_chosen_language_wins_over_the_browser(client, member):
    member.language = "ru"
    member.save()
    client.force_login(member)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ru">' in html and "Последние" in html


def test_browser_language_is_the_default(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").content.decode()
    assert '<html lang="ru">' in html and "Последние" in html
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()


def test_own_profile_with_tier_progress_stays_within_fifteen_queries(client, member, other_member, category, django_assert_max_num_queries):
    from loyalty.services import send_kudos

    for i in range(25):
        make_thread(author=member, category=category, title=f"Thread {i}")
    for i in range(5):
        send_kudos(sender=other_member, receiver=member, message=f"thanks {i}")
    client.force_login(member)
    client.get(f"/u/{member.username}/")
    with django_assert_max_num_queries(15):
        response = client.get(f"/u/{member.username}/")
    assert "Next tier" in response.content.decode() and "thanks 4" in response.content.decode()


def test_switching_to_russian_says_saved_in_russian_and_back_in_english(client, member):
    client.force_login(member)
    page = client.post("/settings/", {"language": "ru", "timezone": "UTC"}, follow=True).content.decode()
    assert "Настройки сохранены" in page
    page = client.post("/settings/", {"language": "en", "timezone": "UTC"}, follow=True).content.decode()
    assert "Your settings are saved." in page


def test_a_badge_notification_reads_in_the_readers_language(client, member):
    from community.notifications.models import Kind
    from community.notifications.services import notify

    notify(recipient=member, kind=Kind.BADGE, dedupe_key="badge:test", text="Welcome")
    notify(recipient=member, kind=Kind.TIER_CHANGED, dedupe_key="tier:test", text="Regular")
    client.force_login(member)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "«Добро пожаловать»" in page or "“Добро пожаловать”" in page
    assert "Завсегдатай" in page


def test_recent_posts_on_a_profile_read_as_text_not_markdown(client, member, category):
    # Found walking the demo: "> In my exper…", "`CELERY_T…" and "- Спасибо" on /u/expert/.
    from tests.factories import make_thread

    make_thread(author=member, category=category, title="Formatting",
                body="> quoted words\n\n**Bold** and `code_here` & [a link](https://example.com)\n\n- item one")
    page = client.get(f"/u/{member.username}/").content.decode()
    snippet = page.split('<p class="snippet">', 1)[1].split("</p>", 1)[0]
    assert snippet == "quoted words Bold and code_here &amp; a link item one"


def test_account_emails_name_the_site_not_its_host(client, db):
    # Found walking the demo: "Hello from 127.0.0.1:8411!" in the sign-up email.
    from django.core import mail

    response = client.post("/accounts/signup/", {"email": "new@example.org", "username": "newbie",
                                                 "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"})
    assert response.status_code == 302
    sent = mail.outbox[-1]
    assert "Roundtable" in sent.subject and "Roundtable" in sent.body and "testserver" not in sent.subject + sent.body.split("http")[0]
