"""Heavy read-only pages read from the replica; every write, and every read that must see one, goes to the primary.

Installed only when a `replica` database is configured (DATABASE_REPLICA_URL). A request may read from the
replica when all of these hold:

- its view is one of REPLICA_READ_VIEWS (pages that only read and read a lot; chosen by URL name here, in one
  place, so that `forums` does not have to import anything to be listed);
- nothing in the request has written yet: the first statement on the primary that is not a plain read turns
  the rest of the request to the primary, so a request reads its own writes (watched on the connection, not
  in `db_for_write`, which Django also asks when a foreign key is merely assigned, and which raw SQL skips);
- no transaction is open on the primary (reads inside `transaction.atomic` belong with its writes);
- the member did not write in the last REPLICA_PIN_SECONDS (a cookie the middleware sets after a write), so
  the page after a POST shows what it did however far the replica lags.

Anything outside a request (Celery tasks, commands) never reads from the replica. Raw SQL that only reads asks
the router for its connection (`connections[router.db_for_read(Model)]`), as the ORM does.
"""

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "rt_primary"
REPLICA_READ_VIEWS = frozenset({
    "health:dashboard",
    "health:list",
    "health:csv",
    "loyalty:leaderboard",
    "loyalty:home",  # my points: balance, tier progress and the ledger's history
    "forums:search",
    "members:profile",
})


@dataclass
class RequestReads:
    """What the router knows of the request being served."""

    replica_allowed: bool = False
    wrote: bool = False


_request_reads: ContextVar[RequestReads | None] = ContextVar("request_reads", default=None)


# A statement that is not a plain SELECT writes if it names a writing command anywhere (a CTE may insert).
_WRITING = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|CREATE|ALTER|DROP)\b", re.IGNORECASE)


def _note_writes(reads: RequestReads, execute, sql, params, many, context):
    if not reads.wrote and sql.lstrip()[:6].upper() != "SELECT" and _WRITING.search(sql):
        reads.wrote = True
    return execute(sql, params, many, context)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        reads = _request_reads.get()
        if reads is None or not reads.replica_allowed or reads.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica follows its primary; it is never migrated


class ReplicaReadsMiddleware:
    """Opens the request's RequestReads, allows the replica for the listed views, pins a writer to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads = RequestReads()
        token = _request_reads.set(reads)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(partial(_note_writes, reads)):
                response = self.get_response(request)
        finally:
            _request_reads.reset(token)
        if reads.wrote:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        reads = _request_reads.get()
        if reads is not None and PIN_COOKIE not in request.COOKIES and request.resolver_match.view_name in REPLICA_READ_VIEWS:
            reads.replica_allowed = True
