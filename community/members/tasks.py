"""Member jobs: the rest of a deleted account's posts, when the member chose to remove them."""

from community.jobs import job


@job(name="members.remove_posts_of_deleted_member")
def remove_posts_of_deleted_member(member_id: int) -> int:
    from community.members import services

    return services.deleted_member_posts_remove(member_id=member_id)
