"""Member operations: profile and preferences."""

from django.db import transaction
from django.utils import timezone as django_timezone

from community.jobs import enqueue_on_commit
from community.members import signals, tasks
from community.members.models import Profile, User
from forums import page_cache
from forums.markup import plain_line, render_markdown


def profile_update(*, member: User, display_name: str, language: str, timezone: str, bio: str,
                   interests, birthday_day: int | None, birthday_month: int | None, show_birthday: bool = False,
                   remind_to_accept: bool = True,
                   dark_theme: bool | None = None, flair_text: str | None = None) -> Profile:
    with transaction.atomic():
        # Names are one plain line: no newlines, no direction overrides that reorder the page around them.
        member.display_name, member.language, member.timezone = plain_line(display_name), language, timezone
        if dark_theme is not None and member.has_perk("beta_features"):
            betas = set(member.beta_features or [])
            betas = betas | {"dark_theme"} if dark_theme else betas - {"dark_theme"}
            member.beta_features = sorted(betas)
        if flair_text is not None and member.has_perk("custom_flair"):
            member.flair_text = plain_line(flair_text)
        member.save(update_fields=["display_name", "language", "timezone", "beta_features", "flair_text"])
        profile, _created = Profile.objects.get_or_create(user=member)
        profile.bio = bio
        profile.bio_html = render_markdown(bio).html if bio else ""
        profile.birthday_day, profile.birthday_month = birthday_day, birthday_month
        profile.show_birthday = bool(show_birthday and birthday_day)
        profile.remind_to_accept = bool(remind_to_accept)
        profile.save()
        profile.interests.set(interests)
        transaction.on_commit(lambda: signals.profile_updated.send(sender=Profile, member_id=member.pk))
        page_cache.site_changed()  # their name and flair on every page they posted on
    return profile


def guidelines_read(*, member: User) -> None:
    """Remember that the member has read the guidelines (a first step); only the first reading is news."""
    with transaction.atomic():
        Profile.objects.get_or_create(user=member)
        first_time = Profile.objects.filter(user=member, guidelines_read_at__isnull=True).update(guidelines_read_at=django_timezone.now())
        if first_time:
            transaction.on_commit(lambda: signals.guidelines_read.send(sender=Profile, member_id=member.pk))


# Removing a post moves its counters and points (about 15 ms each). The request removes one batch and a job the
# rest, a batch per transaction, so neither a request nor a transaction lasts longer however many posts there are.
POSTS_REMOVED_PER_BATCH = 100


def account_delete(*, member: User, remove_posts: bool) -> int:
    """Delete a member's account: the row stays, scrubbed of who they were, so what others did with them holds.

    Scrubbed: username and email (replaced by `deleted-<id>` and `deleted-<id>@deleted.invalid`), names, flair, password (unusable: every session
    they had fails its check on its next request, and an inactive account cannot sign in), verified emails,
    profile. Their posts stay, shown as by "deleted member", or (`remove_posts`) are deleted through
    `forums.services.post_delete` one by one, so counters move and points go back by the paths every deletion
    takes (a thread they started goes with its replies, as when anyone deletes their thread): the first
    POSTS_REMOVED_PER_BATCH here, the rest by the job `members.remove_posts_of_deleted_member`.
    Their ledger stays (append-only; it agrees with the posts either way). Points others earned from them
    (likes and kudos they gave, answers they accepted) are kept, as Discourse keeps them. What they kept in the
    forum for themselves (watches, reading places) goes; each app above the forum removes its own part on
    `signals.member_deleted`, sent here in this transaction (RSVPs to come, notifications, buddy matches,
    expertise, queue claims, moderator roles and nominations, the words of kudos they sent). Returns how many
    posts are left for the job to remove.
    Permission (`community.permissions.check_can_delete_own_account`) and the password are the caller's.
    """
    from allauth.account.models import EmailAddress

    from forums import selectors as forum_selectors
    from forums import services as forum_services

    left = 0
    with transaction.atomic():
        if remove_posts and _remove_posts_batch(member) == POSTS_REMOVED_PER_BATCH:
            left = forum_selectors.posts_standing_count(member.pk)
            if left:
                enqueue_on_commit(tasks.remove_posts_of_deleted_member, member.pk)
        member.username, member.email = f"deleted-{member.pk}", f"deleted-{member.pk}@deleted.invalid"
        member.first_name = member.last_name = member.display_name = member.flair_text = ""
        member.beta_features, member.is_active, member.deleted_at = [], False, django_timezone.now()
        member.set_unusable_password()
        member.save()
        EmailAddress.objects.filter(user=member).delete()
        Profile.objects.filter(user=member).delete()
        forum_services.member_traces_remove(member=member)
        signals.member_deleted.send(sender=User, member=member)
        page_cache.site_changed()  # their name on every page they posted on
    return left


def _remove_posts_batch(member: User) -> int:
    """Delete the member's next POSTS_REMOVED_PER_BATCH posts; how many were deleted."""
    from forums import selectors as forum_selectors
    from forums import services as forum_services

    # Replies before opening posts: a reply in a thread deleted already moves no category counter.
    posts = forum_selectors.posts_standing_by(member.pk, limit=POSTS_REMOVED_PER_BATCH)
    for post in posts:
        forum_services.post_delete(post=post, member=member)
    return len(posts)


def deleted_member_posts_remove(*, member_id: int) -> int:
    """The posts a deleted member chose to remove and the request left: a batch per transaction until none is left.
    Idempotent: run again (a retry, a redelivery after a crash), it finds fewer or none."""
    member = User.objects.filter(pk=member_id, deleted_at__isnull=False).first()
    removed = 0
    while member is not None:
        with transaction.atomic():
            batch = _remove_posts_batch(member)
        removed += batch
        if batch < POSTS_REMOVED_PER_BATCH:
            break
    return removed
