"""Roles are decided in one module (community.permissions); nothing else tests them.

A role test written inline in a view, a template or a service (a superuser flag, a group name, a
tier compared in a template) is how the same question came to have three answers; this test
reads the code and names any that creeps back.
"""

import re
from pathlib import Path

from community import permissions
from forums import permissions as forum_permissions

ROOT = Path(__file__).resolve().parent.parent
APPS = ("community", "forums", "loyalty", "moderation")

# Reading a member's roles: only the authority does it.
ROLE_TESTS = re.compile(
    r"is_superuser|is_community_manager|\.group_names|groups__name|groups\.filter\(|is_staff\b|"
    r"MANAGERS_GROUP|MODERATORS_GROUP|Community managers\""
)
# In templates, on top of those: a tier compared to decide what a member may do.
TEMPLATE_ROLE_TESTS = re.compile(r"is_superuser|is_staff|is_community_manager|group_names|\|moderates|\|can_sanction|\.tier\s*[<>=!]")

# Where a role name or flag is data, not a decision: the authority itself, the model that stores
# groups, the role services that write the group mirror, the role rows' own reads, the admin's
# columns, the demo seeding, and migrations.
ALLOWED = {
    "community/permissions.py",
    "community/members/models.py",
    "community/members/admin.py",
    "community/management/commands/seed_demo.py",
    "moderation/services.py",
    "moderation/selectors.py",
    "moderation/flairs.py",
}


def _python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative and relative not in ALLOWED:
                yield relative, path.read_text()


def test_no_module_but_the_authority_tests_a_role():
    found = [f"{name}:{number}: {line.strip()}" for name, text in _python_files()
             for number, line in enumerate(text.splitlines(), 1) if ROLE_TESTS.search(line)]
    assert found == [], "ask community.permissions instead:\n" + "\n".join(found)


def test_no_view_or_template_tests_a_role():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if TEMPLATE_ROLE_TESTS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for name, text in _python_files():
        if name.endswith("views.py") and re.search(r"\.tier\s*[<>=]|has_perk\(", text):
            found.append(name)
    assert found == [], "templates read can_* flags computed once per request:\n" + "\n".join(found)


def test_the_grep_finds_what_it_looks_for():
    """The patterns above must match the role tests they forbid, or the two tests would pass on anything."""
    assert ROLE_TESTS.search("if request.user.is_community_manager:")
    assert ROLE_TESTS.search('User.objects.filter(groups__name="Moderators")')
    assert TEMPLATE_ROLE_TESTS.search("{% if user.tier >= 1 %}")
    assert TEMPLATE_ROLE_TESTS.search("{% if user|moderates:thread.category_id %}")


def test_forums_asks_the_one_authority_through_its_seam():
    assert forum_permissions.can_reply is permissions.can_reply
    assert forum_permissions.check_can_edit_post is permissions.check_can_edit_post
    for path in (ROOT / "forums").rglob("*.py"):
        # Forums knows the user model (and its username rules), never the apps above it.
        assert not re.search(r"^\s*(from|import) (community\.(permissions|triage|notifications|expertise)|loyalty|moderation)\b",
                             path.read_text(), re.M), path


def test_check_can_sanction_is_defined_once():
    definitions = [path.relative_to(ROOT).as_posix() for app in APPS for path in (ROOT / app).rglob("*.py")
                   if "def check_can_sanction" in path.read_text()]
    assert definitions == ["community/permissions.py"]
