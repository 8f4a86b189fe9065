"""Buddy jobs: thin, by ids, idempotent (the services' locks and constraints make a second run a no-op)."""

from django.contrib.auth import get_user_model

from community.buddies import services
from community.jobs import job
from forums.models import Post

User = get_user_model()


@job(name="buddies.match_on_interests")
def match_on_interests(member_id: int) -> bool:
    """A newcomer saved their profile: with interests picked, they get a buddy who shares them (if they have none)."""
    from community.members.models import Profile

    member = User.objects.filter(pk=member_id).first()
    if member is None or not Profile.interests.through.objects.filter(profile_id=member_id).exists():
        return False
    return services.match_newcomer(newcomer=member) is not None


@job(name="buddies.newcomer_posted")
def newcomer_posted(post_id: int) -> bool:
    """A post: a newcomer's first one finds them a buddy if they have none; the buddy hears of it in the fortnight."""
    post = Post.objects.select_related("author", "thread").filter(pk=post_id, is_deleted=False).first()
    if post is None:
        return False
    services.match_newcomer(newcomer=post.author)
    return services.buddy_hears_of_post(post=post)


@job(name="buddies.match_waiting_newcomers")
def match_waiting_newcomers() -> int:
    return services.match_waiting_newcomers()
