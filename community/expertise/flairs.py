"""Experts' flair on their posts: the thread's tags they are expert in, else their first two."""

from django.urls import reverse
from django.utils.translation import gettext as _

from community.expertise.selectors import expert_tags_of
from forums.flairs import Flair


def expert_flairs(thread, author_ids: set[int]) -> dict[int, list[Flair]]:
    tags_by_member = expert_tags_of(author_ids)
    if not tags_by_member:
        return {}
    thread_tags = {tag.name for tag in thread.tags.all()}  # prefetched with the thread
    flairs = {}
    for member_id, names in tags_by_member.items():
        shown = [name for name in names if name in thread_tags] or names[:2]
        flairs[member_id] = [
            Flair(label=f"★ #{name}", url=reverse("expertise:tag", args=[name]), title=_("Expert in %(tag)s") % {"tag": name})
            for name in shown
        ]
    return flairs
