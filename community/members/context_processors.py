"""A newcomer's first steps: looked up only when a page shows them (the home page)."""

from functools import partial

from community.members.first_steps import first_steps_of


def first_steps(request):
    return {"first_steps": partial(first_steps_of, request.user)}
