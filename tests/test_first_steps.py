"""Welcome and first steps: a confirmed sign-up is welcomed by a manager's note; a newcomer's checklist on the
home page advances with what they do and goes away when done; managers write the guidelines and the welcome."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.test import Client, RequestFactory

from community.members.models import Profile, Tier
from community.models import SitePage
from community.notifications.models import Kind, Notification
from forums import services as forum_services
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_manager, make_reply, make_thread


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _confirm(member):
    address = EmailAddress.objects.get(user=member)
    email_confirmed.send(sender=EmailAddress, request=RequestFactory().get("/"), email_address=address)


def test_a_confirmed_sign_up_is_welcomed_once_by_the_manager_who_wrote_the_welcome(db):
    boss = make_manager(display_name="Mia Manager")
    _client(boss).post("/pages/welcome/edit/", {"title_en": "Welcome!", "body_en": "Glad you are **here**.",
                                                 "title_ru": "Добро пожаловать!", "body_ru": "Рады вам."})
    newcomer = UserFactory(tier=Tier.NEWCOMER, display_name="Nell")
    _confirm(newcomer)
    _confirm(newcomer)
    notice = Notification.objects.get(recipient=newcomer, kind=Kind.WELCOME)
    assert notice.actor == boss and "A note from Mia Manager" in _client(newcomer).get("/notifications/").content.decode()
    page = _client(newcomer).get(_client(newcomer).get(f"/notifications/{notice.pk}/")["Location"]).content.decode()
    assert "Glad you are <strong>here</strong>." in page and "Mia Manager" in page
    russian = UserFactory(language="ru")
    assert "Рады вам." in _client(russian).get("/welcome/").content.decode()


def test_only_managers_write_the_communitys_pages(db):
    member = UserFactory(tier=Tier.CHAMPION)
    refused = _client(member).post("/pages/guidelines/edit/", {"title_en": "Mine", "body_en": "<script>x</script>"})
    assert refused.status_code == 403 and SitePage.objects.get(slug="guidelines").title_en == "Community guidelines"
    boss = make_manager()
    _client(boss).post("/pages/guidelines/edit/", {"title_en": "Rules", "body_en": "Be kind <script>alert(1)</script>"})
    page = SitePage.objects.get(slug="guidelines")
    assert page.title_en == "Rules" and "<script" not in page.body_html_en and page.updated_by == boss
    bad = _client(boss).post("/pages/guidelines/edit/", {"title_en": "", "body_en": ""})
    assert bad.status_code == 400 and SitePage.objects.get(slug="guidelines").title_en == "Rules"


def test_the_checklist_advances_with_what_the_newcomer_does_and_goes_away_when_done(db):
    newcomer = UserFactory(tier=Tier.NEWCOMER)
    home = lambda: _client(newcomer).get("/").content.decode()  # noqa: E731
    assert "0 of 5 done" in home()
    newcomer.display_name = "Nell"
    newcomer.save()
    profile = Profile.objects.create(user=newcomer, bio="I bake bread.")
    profile.interests.add(TagFactory(name="bread"))
    assert "2 of 5 done" in home()
    _client(newcomer).get("/guidelines/")
    assert "3 of 5 done" in home()
    thread = make_thread(author=newcomer, category=CategoryFactory(), title="Hello, I am new")
    reply = make_reply(thread=thread, author=UserFactory(), body="Welcome!")
    assert "4 of 5 done" in home()
    forum_services.like_add(post=reply, member=newcomer)
    assert 'id="first-steps"' not in home()
    # Members past tier 0 never see it.
    assert 'id="first-steps"' not in _client(UserFactory(tier=Tier.MEMBER)).get("/").content.decode()


def test_the_guidelines_and_the_welcome_come_back_with_their_starter_text_if_their_rows_are_gone(db):
    # Found by the newcomer journey in the full suite: a test that flushes the tables removed the migration's rows,
    # and a manager's edit of the welcome answered 404.
    SitePage.objects.all().delete()
    boss = make_manager()
    response = _client(boss).post("/pages/welcome/edit/", {"title_en": "Welcome!", "body_en": "Glad you are here."})
    assert response.status_code == 302 and SitePage.objects.get(slug="welcome").title_en == "Welcome!"
    assert "Community guidelines" in _client().get("/guidelines/").content.decode()
    assert _client(boss).get("/pages/imprint/edit/").status_code == 404
