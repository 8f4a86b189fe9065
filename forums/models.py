"""The conversation's data: categories, threads, posts and what members do with them."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forums.routes import route

# PostgreSQL's "russian" configuration stems Cyrillic words with the Russian Snowball stemmer and
# Latin words with the English one (English stop words included), so one vector serves both
# shipped languages at half the cost of two.
SEARCH_CONFIG = "russian"


def _search_vector(field: str, weight: str) -> SearchVector:
    return SearchVector(field, config=SEARCH_CONFIG, weight=weight)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#22689b", help_text="#rrggbb")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_read_only = models.BooleanField(
        _("read only"), default=False, help_text=_("Only community managers start threads here.")
    )
    is_ideas = models.BooleanField(
        _("ideas"), default=False, help_text=_("Threads here are ideas: members vote for them and managers set their status.")
    )
    # What a new thread's opening post starts with (issue 13): a few headings that help ask well.
    body_template_en = models.TextField(
        _("new thread template (English)"), blank=True,
        help_text=_("Pre-fills the message of a new thread in this category, e.g. “What I tried / What I expected / Versions”."),
    )
    body_template_ru = models.TextField(
        _("new thread template (Russian)"), blank=True,
        help_text=_("The same in Russian; when empty, Russian readers get the English one."),
    )
    # The escalation ladder (issue 13): a newcomer's thread waiting half this long goes to the category's managers
    # and moderators; waiting this long it is marked breached. Empty: the site's target (TRIAGE_FIRST_RESPONSE_TARGET_HOURS).
    first_response_target_hours = models.FloatField(
        _("first-response target (hours)"), null=True, blank=True,
        validators=[MinValueValidator(0.25), MaxValueValidator(24 * 14)],
        help_text=_("How soon a newcomer here should get a first reply. Empty: the site's target."),
    )
    # Denormalised counters, kept by services and rebuilt by `synchronize_forums`.
    thread_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_thread = models.ForeignKey(
        "Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="forums_category_colour_hex"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return route("forums:category", self.slug)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    thread_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(name__regex=r"^[a-z0-9][a-z0-9-]*$"), name="forums_tag_name_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return route("forums:tag", self.name)


class Thread(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80, allow_unicode=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="threads")
    created_at = models.DateTimeField(db_index=False)
    is_deleted = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    # Whether the author was a newcomer when posting; fixed at creation (DESIGN.md).
    is_newcomer_thread = models.BooleanField(default=False)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised counters, kept by services and rebuilt by `synchronize_forums`.
    reply_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    last_post_number = models.PositiveIntegerField(default=1)
    last_posted_at = models.DateTimeField()
    last_poster = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    search_vector = models.GeneratedField(
        expression=_search_vector("title", "A"), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        indexes = [
            models.Index(fields=["-last_posted_at"], condition=Q(is_deleted=False), name="forums_thread_latest"),
            models.Index(fields=["category", "-is_pinned", "-last_posted_at"], condition=Q(is_deleted=False), name="forums_thread_cat_latest"),
            models.Index(fields=["-like_count", "-last_posted_at"], condition=Q(is_deleted=False), name="forums_thread_top"),
            models.Index(fields=["-is_newcomer_thread", "-created_at"], condition=Q(is_deleted=False, reply_count=0),
                         name="forums_thread_unanswered"),
            # The newcomer-priority reply queue: one range of this partial index, oldest first. In the list's own
            # order (created_at, id) so a page reads its 31 rows and stops instead of sorting every waiting thread;
            # the category rides along so the queue's counts (targets are per category) never touch the table.
            models.Index(fields=["created_at", "id"], include=["category"],
                         condition=Q(is_newcomer_thread=True, first_response_at__isnull=True, is_deleted=False),
                         name="forums_thread_newcomer_queue"),
            models.Index(fields=["author", "-created_at"], name="forums_thread_author"),
            models.Index(fields=["created_at"], name="forums_thread_created"),
            GinIndex(fields=["search_vector"], name="forums_thread_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return route("forums:thread", self.pk, self.slug or "-")

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None

    @property
    def page_count(self) -> int:
        per_page = settings.FORUMS_POSTS_PER_PAGE
        return max(1, -(-self.last_post_number // per_page))


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    # 1 for the opening post, then one more per reply; never reused, so links stay stable.
    number = models.PositiveIntegerField()
    body = models.TextField(_("body"))
    body_html = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    like_count = models.PositiveIntegerField(default=0)
    # Hidden by flags or a moderator, pending review: kept, shown only to its author and staff.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    search_vector = models.GeneratedField(
        expression=_search_vector("body", "B"), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="forums_post_number_unique"),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="forums_post_author"),
            # Search with filters and no words lists visible posts newest first.
            models.Index(fields=["-created_at", "-id"], condition=Q(is_deleted=False, is_hidden=False), name="forums_post_visible_latest"),
            GinIndex(fields=["search_vector"], name="forums_post_search"),
        ]

    def __str__(self) -> str:
        return f"Post #{self.number} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        return route("forums:post", self.pk)

    @property
    def is_first(self) -> bool:
        return self.number == 1


class PostRevision(models.Model):
    """The text a post had before an edit; kept for the edit history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    previous_body = models.TextField()
    previous_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"], name="forums_revision_post")]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Like")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LIKE)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member", "kind"], name="forums_reaction_once"),
        ]
        indexes = [models.Index(fields=["member", "post"], name="forums_reaction_member"),
                   models.Index(fields=["created_at"], name="forums_reaction_created")]  # likes per day

    def __str__(self) -> str:
        return f"{self.kind} by {self.member_id} on post {self.post_id}"


class Mention(models.Model):
    """A member @mentioned in a post; the notifications work reads these."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="forums_mention_once")]
        indexes = [models.Index(fields=["member", "-created_at"], name="forums_mention_member")]

    def __str__(self) -> str:
        return f"Mention of {self.member_id} in post {self.post_id}"


class ReadState(models.Model):
    """How far a member has read a thread: the highest post number seen."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_states")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "thread"], name="forums_readstate_once")]

    def __str__(self) -> str:
        return f"{self.member_id} read thread {self.thread_id} to #{self.last_read_number}"


class ReadHorizon(models.Model):
    """"Mark all read": threads with no activity after `read_before` count as read for the member.

    One row for the whole site (category empty) and one per category marked, so marking 2,000
    threads read is one upsert, not 2,000 read states. A member's sign-up is the first horizon:
    threads quiet since before they joined are not new to them (as Discourse).
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_horizons")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    read_before = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], nulls_distinct=False, name="forums_readhorizon_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.category_id or 'all'} before {self.read_before:%Y-%m-%d %H:%M}"


class Subscription(models.Model):
    """A member watching a thread."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "thread"], name="forums_subscription_once")]
        indexes = [models.Index(fields=["thread"], name="forums_subscription_thread")]

    def __str__(self) -> str:
        return f"{self.member_id} watches thread {self.thread_id}"


# -- Ideas ------------------------------------------------------------------------------------------
# A thread in a category marked `is_ideas` is an idea. Its Idea row is made on the first vote or
# status change (until then it is a new idea with no votes), so starting, moving and deleting
# threads need to know nothing about ideas. A thread moved out keeps its row and votes, and is an
# idea again when it comes back.


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class Idea(models.Model):
    thread = models.OneToOneField(Thread, primary_key=True, on_delete=models.CASCADE, related_name="idea")
    status = models.CharField(_("status"), max_length=16, choices=IdeaStatus.choices, default=IdeaStatus.NEW)
    # A short public word from the team, shown on the idea.
    status_note = models.CharField(_("note"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised count of IdeaVote rows, moved with F() by the vote services, rebuilt by `synchronize_forums`.
    vote_count = models.PositiveIntegerField(default=0)
    # The first time a manager or moderator replied in the thread or set a status (the dashboard's "time to a staff answer").
    staff_answered_at = models.DateTimeField(null=True, blank=True)
    # The announcement thread posted when the idea was done.
    announcement = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["-vote_count"], name="forums_idea_votes"),
            models.Index(fields=["status", "-vote_count"], name="forums_idea_status_votes"),
        ]

    def __str__(self) -> str:
        return f"Idea {self.thread_id} ({self.status}, {self.vote_count} votes)"


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "member"], name="forums_ideavote_once")]
        indexes = [models.Index(fields=["member", "idea"], name="forums_ideavote_member")]

    def __str__(self) -> str:
        return f"Vote by {self.member_id} for idea {self.idea_id}"
