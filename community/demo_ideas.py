"""Demo ideas for seed_demo: an ideas category with ideas in every status, votes, team notes and one announcement.

Everything goes through the forum's services (and the loyalty settle step for done ideas), so the
counters, the ledger and the dashboard's figures are what the site itself would have written.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q

from community import permissions
from forums import services
from forums.models import Category, Idea, Thread

User = get_user_model()

# title, body, status, team note (English first, then Russian)
IDEAS = [
    ("Dark mode for the whole site", "Reading at night hurts. A dark theme that follows the system setting would help.",
     "done", "Shipped: it follows your system setting, or choose it in your settings."),
    ("Weekly digest of the best threads", "One email a week with the most helpful answers, for people who visit rarely.",
     "planned", "Planned for next quarter, together with the digest settings."),
    ("Mark a thread as a duplicate", "Link a question to the thread that already answers it, so answers stay in one place.",
     "in_progress", "Being built now; moderators will get it first."),
    ("Badges for event speakers", "Speakers at our meetups could get a badge on their profile.",
     "under_review", "We like it; checking how it fits with event check-in."),
    ("Bring back the old editor", "The new editor is harder for me; I would like the old one back.",
     "declined", "The old editor cannot do previews or mentions safely; we are improving the new one instead."),
    ("Code blocks with a copy button", "A small button to copy a code block would save a lot of selecting.",
     "done", "Done: every code block has a copy button."),
    ("Follow a tag", "Get notified of new threads in the tags I care about.", "planned", "Coming with the notification settings rework."),
    ("Show reading time on long threads", "A hint of how long a thread takes to read.", "new", ""),
    ("Polls in threads", "Simple polls would make decisions in the community easier.", "under_review", "Looking at how others do it."),
    ("Keyboard shortcuts", "j/k to move between posts, r to reply.", "new", ""),
    ("An API for our dashboards", "Read-only API access to public threads for community stats.", "in_progress", "A first version is in testing."),
    ("Private notes on members for moderators", "Moderators need to leave each other notes about a member.",
     "planned", "Planned after the new review queue."),
    ("Emoji reactions beyond likes", "More than a heart: thanks, laugh, insightful.", "declined",
     "We keep one simple reaction; kudos cover the thank-you."),
    ("Mentor matching for newcomers", "Pair each newcomer with a volunteer mentor for their first month.", "new", ""),
    # Russian
    ("Уведомления в Telegram", "Хочется получать ответы на свои темы в Telegram, а не только на почту.",
     "under_review", "Изучаем, как сделать это безопасно."),
    ("Русская версия правил сообщества", "Правила сейчас только на английском, нужен перевод.", "done",
     "Готово: правила переведены и доступны в настройках языка."),
    ("Раздел для вакансий", "Отдельный раздел для вакансий и поиска работы.", "declined",
     "Вакансии лучше публиковать в «Разном» с тегом career."),
    ("Встречи в Санкт-Петербурге", "Давайте проводить офлайн-встречи не только в Москве.", "planned",
     "Первая встреча запланирована на весну."),
    ("Поиск по коду в сообщениях", "Искать по фрагментам кода внутри сообщений.", "new", ""),
    ("Ночной режим для мобильной версии", "На телефоне тёмная тема работает не везде.", "in_progress", "Исправляем оставшиеся страницы."),
]


def _ideas_category() -> Category:
    """The seed's "Ideas & Feedback" category (slug `ideas`) becomes an ideas category; one is made if it is missing."""
    category = Category.objects.filter(Q(slug="ideas") | Q(is_ideas=True)).order_by("-is_ideas", "pk").first()
    if category is None:
        category = Category.objects.create(name="Ideas", slug="ideas", description="Suggestions for the product and the community.",
                                           colour="#c26a1b", position=Category.objects.count())
    Category.objects.filter(pk=category.pk).update(is_ideas=True)
    category.is_ideas = True
    return category


def seed_ideas(*, now: datetime, rng: random.Random) -> dict[str, int]:
    """About twenty ideas in every status, with votes, notes and a staff answer some hours after each idea;
    one done idea announced in the read-only category. Returns how many ideas, votes and announcements were made."""
    from loyalty.awards import settle_idea

    category = _ideas_category()
    manager = permissions.managers().order_by("pk").first()
    members = list(User.objects.filter(is_active=True, tier__gte=1, silenced_until__isnull=True, suspended_until__isnull=True)
                   .exclude(awaiting_approval=True).order_by("pk")[:400])
    if manager is None or not members:
        return {"ideas": 0, "votes": 0, "announced": 0}
    made = votes = announced = 0
    done_ideas = []
    for index, (title, body, status, note) in enumerate(IDEAS):
        author = members[index * 7 % len(members)]
        thread = services.thread_create(author=author, category=category, title=title, body=body)
        # Spread over the last four months, with the team's answer a few hours to a few days later.
        created = now - timedelta(days=rng.uniform(3, 120))
        Thread.objects.filter(pk=thread.pk).update(created_at=created, last_posted_at=created)
        Thread.objects.get(pk=thread.pk).posts.filter(number=1).update(created_at=created)
        for voter in rng.sample(members, k=min(len(members), rng.randint(0, 40))):
            votes += services.idea_vote(thread=thread, member=voter)
        answered = created + timedelta(hours=rng.uniform(2, 96))
        if status != "new":
            services.idea_set_status(thread=thread, member=manager, status=status, note=note)
            Idea.objects.filter(pk=thread.pk).update(staff_answered_at=answered, status_changed_at=answered)
        elif rng.random() < 0.5:  # some new ideas got a word from the team before any status
            services.reply_create(thread=thread, author=manager, body=f"Thanks for the idea! We will look at it soon. ({index})")
            services.idea_note_staff_answer(thread_id=thread.pk, answered_at=answered)
        if status == "done":
            done_ideas.append(thread)
        made += 1
    if done_ideas and Category.objects.filter(is_read_only=True).exists():
        services.idea_announce(thread=done_ideas[0], member=manager)
        announced = 1
    for thread in done_ideas:
        settle_idea(thread.pk)
    return {"ideas": made, "votes": votes, "announced": announced}
