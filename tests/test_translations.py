"""Every user-facing string ships in English and Russian: the catalogue is complete and current."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/ru/LC_MESSAGES/django.po")


def test_russian_catalogue_is_fully_translated():
    catalogue = polib.pofile(str(ROOT / CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    """Extract the strings afresh from a copy of the tree and compare with what is translated."""
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        source = ROOT / name
        if source.is_file() and not name.startswith("tests/"):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--ignore=.venv", "--ignore=tmp", "--no-obsolete", "-v0"],
        cwd=tmp_path, check=True, capture_output=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "community.settings"},
    )
    fresh = {entry.msgid for entry in polib.pofile(str(tmp_path / CATALOGUE))}
    translated = {entry.msgid for entry in polib.pofile(str(ROOT / CATALOGUE)).translated_entries()}
    assert sorted(fresh - translated) == []
