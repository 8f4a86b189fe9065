"""Running service calls at the same moment, each on a PostgreSQL connection of its own (real concurrency)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def race(calls) -> list[str]:
    """Run each call in a thread of its own, all released at once by a barrier; what went wrong in each: the
    code of a refusal (ValidationError), or the repr of any other error (which a test must never see)."""
    barrier, errors = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
        except ValidationError as refusal:
            errors.append(refusal.code or "refused")
        except Exception as error:  # reported to the test
            errors.append(repr(error))
        finally:
            connection.close()  # each thread had a real connection of its own

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
