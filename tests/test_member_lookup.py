"""Finding a member by name, whatever its case, through the case-insensitive unique index (issue 14: the profile's
lookup read every member, since Django's iexact compares UPPER(username) and the index is on LOWER(username))."""

from django.db import connection

from community.members.models import User
from tests.factories import UserFactory


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # on a tiny table a scan is cheapest: ask whether an index can serve
        cursor.execute(f"EXPLAIN {sql}", params)  # the ORM's own SQL
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_member_is_found_by_name_in_any_case(db):
    anna = UserFactory(username="Anna_K")
    assert list(User.objects.named("anna_k")) == [anna] and list(User.objects.named("ANNA_K")) == [anna]
    assert not User.objects.named("anna").exists()


def test_the_lookup_by_name_uses_the_case_insensitive_index_and_iexact_does_not(db):
    UserFactory(username="Anna_K")
    assert "members_user_username_ci_unique" in _plan(User.objects.named("anna_k"))
    assert "Seq Scan" in _plan(User.objects.filter(username__iexact="anna_k"))  # why `named` exists


def test_profile_pages_and_the_moderation_log_find_members_in_any_case(db, client, manager):
    UserFactory(username="Anna_K")
    assert client.get("/u/anna_k/").status_code == 200
    client.force_login(manager)
    assert client.get("/moderation/log/?actor=MIA").status_code == 200
