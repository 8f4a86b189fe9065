"""The dashboard's figures against a small hand-made community whose answers are worked out by hand.

Three newcomer threads in the last week: answered after 2 h, answered after 10 h, and one nobody answered
for 20 h so far (a fourth was deleted). A deleted reply and a hidden reply must count nowhere; a silenced
member's posts still count (they happened); one member signed up and never posted, and left.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from community.expertise.services import expert_appoint
from community.health import charts, csv, rollup, selectors, snapshots
from community.health.models import DailyFigure
from community.members.models import Tier, User
from forums import figures as forum_figures
from forums import services as forum_services
from forums.models import Post, Reaction, Thread
from loyalty import tiers
from loyalty.figures import points_by_day
from loyalty.models import Kudos, PointsEntry, Reason, TierChange, VisitDay
from moderation import services as moderation
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_manager, make_reply, make_thread

HOUR = timedelta(hours=1)


class Community:
    pass


def _at(post, when):
    Post.objects.filter(pk=post.pk).update(created_at=when)


@pytest.fixture
def community(db, settings):
    settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS = 4
    now = timezone.now()
    c = Community()
    c.now = now
    c.help, c.other = CategoryFactory(name="Help", slug="help"), CategoryFactory(name="Other", slug="other")
    c.manager = make_manager(username="boss", tier=Tier.LEADER, date_joined=now - timedelta(days=400))
    c.regular = UserFactory(username="regular", tier=Tier.REGULAR, date_joined=now - timedelta(days=300))
    c.n1 = UserFactory(username="ann", tier=Tier.NEWCOMER, date_joined=now - timedelta(days=3))
    c.n2 = UserFactory(username="bob", tier=Tier.NEWCOMER, date_joined=now - timedelta(days=2))
    c.n3 = UserFactory(username="cat", tier=Tier.NEWCOMER, date_joined=now - timedelta(days=1))
    c.n4 = UserFactory(username="dan", tier=Tier.NEWCOMER, date_joined=now - timedelta(days=1))

    c.python, c.docker = TagFactory(name="python"), TagFactory(name="docker")
    c.t1 = make_thread(author=c.n1, category=c.help, title="First steps", tags=[c.python])
    c.t2 = make_thread(author=c.n2, category=c.help, title="Second question")
    c.t3 = make_thread(author=c.n3, category=c.other, title="Nobody answers me", tags=[c.python])
    c.t4 = make_thread(author=c.n1, category=c.other, title="Deleted later")
    answer1 = make_reply(thread=c.t1, author=c.regular)
    own_reply = make_reply(thread=c.t1, author=c.n1)
    deleted = make_reply(thread=c.t1, author=c.regular)
    answer2 = make_reply(thread=c.t2, author=c.regular)
    hidden = make_reply(thread=c.t2, author=c.manager)
    forum_services.post_delete(post=deleted, member=c.regular)
    forum_services.post_hide(post=hidden, reason="test")
    forum_services.post_delete(post=Post.objects.get(thread=c.t4, number=1), member=c.n1)
    forum_services.like_add(post=answer1, member=c.n1)
    forum_services.answer_accept(thread=c.t1, post=answer1, member=c.n1)
    flag = moderation.flag_post(post=answer2, flagger=UserFactory(tier=Tier.MEMBER, date_joined=now - timedelta(days=100)),
                                reason="spam")
    type(flag).objects.filter(pk=flag.pk).update(created_at=now - HOUR)

    # The clock, by hand.
    for thread, created in ((c.t1, now - 48 * HOUR), (c.t2, now - 30 * HOUR), (c.t3, now - 20 * HOUR), (c.t4, now - 10 * HOUR)):
        Thread.objects.filter(pk=thread.pk).update(created_at=created)
        _at(Post.objects.get(thread=thread, number=1), created)
    _at(answer1, now - 46 * HOUR)
    _at(own_reply, now - 45 * HOUR)
    _at(deleted, now - 44 * HOUR)
    _at(answer2, now - 20 * HOUR)
    _at(hidden, now - 29 * HOUR)
    Thread.objects.filter(pk=c.t1.pk).update(first_response_at=now - 46 * HOUR)
    Reaction.objects.filter(post=answer1).update(created_at=now - 45 * HOUR)
    Thread.objects.filter(pk=c.t2.pk).update(first_response_at=now - 20 * HOUR)

    # A sanctioned member, a member who left, visits, kudos, tier moves.
    User.objects.filter(pk=c.n2.pk).update(silenced_until=now + timedelta(days=3), last_sanctioned_at=now - HOUR)
    User.objects.filter(pk=c.n4.pk).update(is_active=False)
    # ann came back the day after her first post and its answer; bob's only visit is no later than his first post.
    VisitDay.objects.bulk_create([VisitDay(member=c.n1, day=(now - timedelta(days=3)).date()),
                                  VisitDay(member=c.n1, day=(now - timedelta(days=2)).date()),
                                  VisitDay(member=c.n1, day=(now - timedelta(days=1)).date()),
                                  VisitDay(member=c.n2, day=(now - timedelta(days=2)).date()),
                                  # cat came back today, but nobody has answered her: she is not retained by a reply.
                                  VisitDay(member=c.n3, day=now.date())])
    Kudos.objects.create(sender=c.n1, receiver=c.regular, message="Thanks", created_at=now - 40 * HOUR)
    # ann reached tier 1 a day ago, after both her visible posts: they were a newcomer's.
    TierChange.objects.create(member=c.n1, old_tier=0, new_tier=1, changed_at=now - 24 * HOUR)
    User.objects.filter(pk=c.n1.pk).update(tier=Tier.MEMBER)
    # regular answers python questions; another expert in docker had no question in the period.
    c.docker_expert = UserFactory(username="whale", tier=Tier.REGULAR, date_joined=now - timedelta(days=200))
    expert_appoint(member=c.regular, tags=[c.python], appointed_by=c.manager)
    expert_appoint(member=c.docker_expert, tags=[c.docker], appointed_by=c.manager)
    TierChange.objects.create(member=c.regular, old_tier=3, new_tier=2, changed_at=now - 30 * HOUR)
    return c


def test_time_to_first_response_counts_the_thread_nobody_answered_with_its_wait_so_far(community):
    period = selectors.period_of(7, community.now)
    found = forum_figures.first_response(period.start, period.end, now=community.now, target=4 * HOUR)
    assert (found["threads"], found["answered"], found["unanswered"], found["within_target"]) == (3, 2, 1, 1)
    # Waits 2 h, 10 h and 20 h (still waiting): dropping the unanswered one would give a median of 6 h.
    assert found["median_hours"] == pytest.approx(10)
    assert found["p90_hours"] == pytest.approx(18)
    assert found["share_within_target"] == pytest.approx(1 / 3)


def test_first_response_per_category_and_per_day(community):
    period = selectors.period_of(7, community.now)
    rows = {row[0]: row[1:] for row in forum_figures.first_response_by_category(
        period.start, period.end, now=community.now, target=4 * HOUR)}
    assert rows[community.help.pk][:2] == (2, 0) and rows[community.help.pk][3] == pytest.approx(6)
    assert rows[community.other.pk][:2] == (1, 1) and rows[community.other.pk][3] == pytest.approx(20)
    by_day = forum_figures.first_response_by_day(period.start, period.end, now=community.now)
    assert len(by_day) == 7
    assert sum(row[1] for row in by_day) == 3 and sum(row[2] for row in by_day) == 1


def test_responders_count_visible_replies_to_newcomers_only(community):
    period = selectors.period_of(7, community.now)
    rows = {row[0]: row[1:] for row in forum_figures.responders(period.start, period.end)}
    # The deleted reply, the hidden reply and the author's own reply count for nobody.
    assert rows == {community.regular.pk: (2, 2, pytest.approx(6))}


def test_each_expert_is_measured_on_the_newcomer_questions_in_their_topics(community):
    from community.expertise.models import RoutedQuestion

    # Routing told regular about "First steps" and "Nobody answers me"; the third was before the period.
    for thread, when in ((community.t1, community.now - 47 * HOUR), (community.t3, community.now - 19 * HOUR),
                         (community.t2, community.now - timedelta(days=8))):
        RoutedQuestion.objects.create(expert=community.regular, thread=thread, routed_at=when)
    data = selectors.dashboard(days=7, category_id=None, now=community.now)
    rows = {row["name"]: row for row in data["experts"]}
    assert (rows[community.regular.name]["routed"], rows[community.docker_expert.name]["routed"]) == (2, 0)
    header, csv_rows = csv.tables(data)["experts"]
    assert header[2] == "Routed" and next(iter(csv_rows))[:3] == (community.regular.name, "python", 2)
    # python: "First steps" (answered by regular after 2 h, the first reply) and "Nobody answers me" (no answer).
    regular = rows[community.regular.name]
    assert (regular["tags"], regular["questions"], regular["answered"], regular["first_responses"]) == (["python"], 2, 1, 1)
    assert regular["median_hours"] == pytest.approx(2)
    # An expert with no question in the period is listed, with zeros: the manager sees who is idle.
    whale = rows[community.docker_expert.name]
    assert (whale["questions"], whale["answered"], whale["median_hours"]) == (0, 0, None)
    assert list(rows) == [community.regular.name, community.docker_expert.name]
    # The category filter keeps only that category's questions: "Other" holds the unanswered one.
    other = {row["name"]: row for row in selectors.dashboard(days=7, category_id=community.other.pk, now=community.now)["experts"]}
    assert (other[community.regular.name]["questions"], other[community.regular.name]["answered"]) == (1, 0)
    assert other[community.regular.name]["routed"] == 1


def test_totals_leave_out_deleted_and_hidden_posts_and_sort_posts_by_member_type(community):
    data = selectors.dashboard(days=7, category_id=None, now=community.now)
    engagement = data["engagement"]
    assert (engagement["posts"]["value"], engagement["replies"]["value"]) == (6, 3)
    # ann's two posts were made at tier 0 (she reached tier 1 a day ago): a newcomer's, though she is tier 1 now.
    assert engagement["by_type"] == {"newcomers": 4, "returning": 2, "staff": 0}
    assert engagement["new_contributors"]["value"] == 4
    assert forum_figures.new_contributor_ids(data["period"].start, data["period"].end).count() == 4


def test_accepted_answer_rate_and_flags(community):
    period = selectors.period_of(7, community.now)
    accepted = forum_figures.accepted_answers(period.start, period.end)
    assert (accepted["threads"], accepted["answered"], accepted["accepted"], accepted["rate"]) == (3, 2, 1, 0.5)
    data = selectors.dashboard(days=7, category_id=None, now=community.now)
    assert data["quality"]["flags"]["flags"] == 1 and data["quality"]["flags"]["open"] == 1
    assert data["quality"]["flags"]["per_1000"] == pytest.approx(1000 / 6)


def test_the_funnel_narrows_step_by_step_and_splits_by_a_fast_first_reply(community):
    period = selectors.period_of(7, community.now)
    assert selectors.funnel_counts(period) == {"signed_up": 4, "first_post": 3, "got_reply": 2, "came_back": 1,
                                               "second_post": 1, "tier_1": 1, "tier_2": 0}
    assert selectors.funnel_counts(period, "fast") == {"signed_up": 1, "first_post": 1, "got_reply": 1, "came_back": 1,
                                                       "second_post": 1, "tier_1": 1, "tier_2": 0}
    assert selectors.funnel_counts(period, "slow")["signed_up"] == 3
    assert selectors.funnel_counts(period, "slow")["got_reply"] == 1
    # Coming back counts from the first reply: cat's visit after signing up, with no answer, is not retention.
    assert selectors.retention(period) == {"signed_up": 4, "came_back": 1}
    members = selectors.funnel_members(period, "got_reply")
    assert sorted(members.values_list("username", flat=True)) == ["ann", "bob"]


def test_engagement_growth_and_loyalty(community):
    data = selectors.dashboard(days=7, category_id=None, now=community.now)
    series = data["series"]
    assert sum(series["posts"]) == 6 and sum(series["replies"]) == 3 and sum(series["likes"]) == 1 and sum(series["kudos"]) == 1
    assert data["engagement"]["dau"]["value"] == pytest.approx(5 / 7)
    assert data["engagement"]["wau"]["value"] == 3 and data["engagement"]["mau"]["value"] == 3
    assert data["growth"]["sign_ups"]["value"] == 4 and data["growth"]["net_new"]["value"] == 3
    assert (data["growth"]["promotions"], data["growth"]["demotions"]) == (1, 1)
    assert data["funnel"]["all"]["signed_up"] == 4


def test_points_earned_and_spent_in_a_range(community):
    when = community.now - timedelta(days=60)
    PointsEntry.objects.create(member=community.regular, amount=10, reason=Reason.CELEBRATION, source_type="t",
                               source_id="1", created_at=when)
    PointsEntry.objects.create(member=community.regular, amount=-5, reason=Reason.REDEMPTION, source_type="t",
                               source_id="2", created_at=when)
    rows = points_by_day(when - timedelta(days=1), when + timedelta(days=1))
    assert [(earned, spent) for _day, earned, spent in rows] == [(10, 5)]


def test_category_filter_keeps_only_that_category(community):
    data = selectors.dashboard(days=7, category_id=community.other.pk, now=community.now)
    assert data["response"]["threads"] == 1 and data["response"]["unanswered"] == 1
    assert sum(data["series"]["posts"]) == 1


def test_a_tier_change_is_recorded_when_a_manager_sets_a_tier(community):
    tiers.set_tier_by_manager(member=community.regular, tier=Tier.LEADER)
    change = TierChange.objects.filter(member=community.regular).latest("changed_at")
    assert (change.old_tier, change.new_tier) == (Tier.REGULAR, Tier.LEADER)


def test_the_rollup_holds_past_days_and_the_dashboard_reads_it(community):
    period = selectors.period_of(7, community.now)
    live = selectors.daily_series(period, None)
    rollup.roll_up(period.start.date(), community.now.date() - timedelta(days=1))
    assert selectors.daily_series(period, None) == live
    # A rolled-up day is read from the rollup, not recomputed.
    day = period.start.date()
    DailyFigure.objects.filter(day=day, category_id=None, name="posts").update(value=99)
    assert selectors.daily_series(period, None)["posts"][0] == 99
    assert rollup.roll_up_recent(days=10) > 0  # idempotent: upserts


def test_every_series_reads_the_same_from_the_rollup_as_live_for_the_site_and_each_category(community):
    period = selectors.period_of(7, community.now)
    scopes = [None, community.help.pk, community.other.pk]
    live = {scope: selectors.daily_series(period, scope) for scope in scopes}
    assert sum(live[None]["new_contributors"]) == 4 and sum(live[community.other.pk]["new_contributors"]) == 1
    rollup.roll_up(period.start.date(), community.now.date() - timedelta(days=1))
    for scope in scopes:
        assert selectors.daily_series(period, scope) == live[scope], scope


def test_a_day_rolled_up_by_an_older_version_is_read_live_and_rewritten(community):
    period = selectors.period_of(7, community.now)
    yesterday = community.now.date() - timedelta(days=1)
    rollup.roll_up(period.start.date(), yesterday)
    live = selectors.daily_series(period, None)
    DailyFigure.objects.filter(day=yesterday, category_id=None, name="posts").update(value=99)
    DailyFigure.objects.filter(day=yesterday, name=selectors.ROLLUP_MARK).update(value=selectors.ROLLUP_VERSION - 1)
    assert selectors.daily_series(period, None) == live  # the stale day is not trusted
    rollup.roll_up_recent(days=10)
    assert DailyFigure.objects.get(day=yesterday, category_id=None, name=selectors.ROLLUP_MARK).value == selectors.ROLLUP_VERSION
    assert selectors.daily_series(period, None) == live


def test_managers_are_served_a_snapshot_until_they_ask_for_fresh_figures(community):
    client = _client(community.manager)
    first = client.get("/dashboard/?period=7").context["engagement"]["posts"]["value"]
    assert first == 6
    make_reply(thread=community.t3, author=community.regular)
    # Within the snapshot's few minutes the same figures are served, and the page says when they were computed.
    served = client.get("/dashboard/?period=7")
    assert served.context["engagement"]["posts"]["value"] == 6 and 'id="computed-at"' in served.content.decode()
    assert client.get("/dashboard/?period=7&fresh=1").context["engagement"]["posts"]["value"] == 7
    assert client.get("/dashboard/?period=7").context["engagement"]["posts"]["value"] == 7
    # The beat job recomputes the site-wide snapshots of every period.
    make_reply(thread=community.t3, author=community.regular)
    assert snapshots.refresh_site_wide() == 3
    assert client.get("/dashboard/?period=7").context["engagement"]["posts"]["value"] == 8


def test_a_snapshot_speaks_the_language_of_whoever_reads_it(community):
    snapshot = snapshots.dashboard(days=7, category_id=None)  # computed while English is active
    User.objects.filter(pk=community.manager.pk).update(language="ru")
    page = _client(community.manager).get("/dashboard/?period=7").content.decode()
    with translation.override("ru"):
        russian = snapshot["score"].headline
    with translation.override("en"):
        assert russian != snapshot["score"].headline
    assert f'<p class="health-headline" id="headline">{escape(russian)}</p>' in page


def test_health_score_scales_against_the_previous_90_days_and_says_what_moved():
    assert selectors.scaled(2, 1) == 100 and selectors.scaled(1, 1) == 50 and selectors.scaled(None, 1) is None
    current = {"responsiveness": 0.9, "retention": 0.5, "engagement": 10.0, "growth": 1.0, "quality": 0.5}
    previous = {**current, "responsiveness": 0.3}
    score = selectors.health_score(current, previous, previous)
    assert "Responsiveness moved most and got better" in score.headline
    assert score.parts[0]["score"] == 100 and score.newcomer == 75


def test_an_empty_community_has_a_dashboard(db):
    data = selectors.dashboard(days=90, category_id=None)
    assert data["response"]["median_hours"] is None and data["funnel"]["all"]["signed_up"] == 0


def test_csv_cells_that_look_like_formulas_are_quoted():
    text = csv.render(["Name", "=x"], [("=HYPERLINK(1)", 1), ("+1", -3), ("@SUM", None), ("-2", 2)])
    assert text.splitlines() == ["Name,'=x", "'=HYPERLINK(1),1", "'+1,-3", "'@SUM,", "'-2,2"]


def test_charts_are_accessible_svg_without_script():
    svg = charts.line_chart("Posts <per day>", ["a", "b"], [("Posts", [1, None, 3])])
    assert 'role="img"' in svg and "<title>Posts &lt;per day&gt;</title>" in svg and "<script" not in svg
    assert "<svg" in charts.funnel("Funnel", [("Signed up", 4), ("First post", 3)])
    assert "<svg" in charts.bar_chart("Bars", []) and "<svg" in charts.sparkline("S", [])


# -- the pages --------------------------------------------------------------------------------------

def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_managers_see_the_dashboard_and_members_are_refused(community):
    response = _client(community.manager).get("/dashboard/?period=7")
    assert response.status_code == 200
    page = response.content.decode()
    assert "lower bound" in page and "No events yet" in page and 'role="img"' in page
    # The header's search box stays empty: the dashboard's filters once filled it with "period=7".
    assert '<input type="search" name="q" value=""' in page
    assert _client(community.regular).get("/dashboard/").status_code == 403
    assert _client(community.regular).get("/dashboard/list/first-post/").status_code == 403
    assert _client(community.regular).get("/dashboard/csv/funnel/").status_code == 403


@pytest.mark.parametrize("query", ["period=8", "period=abc", "period=" + "9" * 30, "category=999999", "category=x", "split=evil"])
def test_bad_filters_are_a_form_error_or_a_404(community, query):
    client = _client(community.manager)
    assert client.get(f"/dashboard/?{query}").status_code == 400
    assert client.get(f"/dashboard/list/first-post/?{query}").status_code == 404
    assert client.get(f"/dashboard/csv/funnel/?{query}").status_code == 404


def test_unknown_figures_and_tables_are_404(community):
    client = _client(community.manager)
    assert client.get("/dashboard/list/passwords/").status_code == 404
    assert client.get("/dashboard/csv/passwords/").status_code == 404


def test_the_list_behind_a_funnel_step_and_a_csv(community):
    client = _client(community.manager)
    page = client.get("/dashboard/list/first-post/?period=7").content.decode()
    assert "ann" in page and "bob" in page and "cat" in page and "dan" not in page
    threads = client.get("/dashboard/list/unanswered/?period=7").content.decode()
    assert "Nobody answers me" in threads and "First steps" not in threads
    response = client.get("/dashboard/csv/funnel/?period=7")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert "Signed up,4,1,3" in response.content.decode()


def test_the_funnel_in_one_query_matches_the_funnel_split_by_split(community):
    period = selectors.period_of(7, community.now)
    assert selectors.funnel_by_split(period) == {split: selectors.funnel_counts(period, split) for split in selectors.SPLITS}
