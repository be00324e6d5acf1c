"""Every translatable string of the source has a Chinese translation in the catalogue."""

import ast
import gettext
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from yuanmeng.applications.models import Roster
from yuanmeng.payouts.results import FIELD_LABELS

SOURCE = Path(settings.BASE_DIR)
CATALOGUE = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Django's Python keywords: the msgid is the first argument, or the second after a context.
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXTUAL = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def compiled(po: Path, mo: Path) -> dict:
    """The catalogue msgfmt builds from `po`: it leaves out fuzzy and untranslated entries."""
    subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)._catalog


def extracted_msgids(work: Path, monkeypatch) -> set:
    """Run makemessages on a copy of the source, never on the real catalogue."""
    copy = work / "yuanmeng"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(work / "locale")]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    po = work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    english = work / "english.po"
    # msgen fills every msgstr with its msgid, so msgfmt keeps all of them.
    subprocess.run(["msgen", "-o", str(english), str(po)], check=True)
    return msgids(compiled(english, work / "english.mo")) - {""}


def python_msgids() -> set:
    """xgettext does not look inside f-strings, so the Python calls are read again from the syntax tree."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                     for a in node.args[:2]]
            if name in SINGULAR and texts and texts[0]:
                found.add(texts[0])
            elif name in CONTEXTUAL and len(texts) == 2 and None not in texts:
                found.add(f"{texts[0]}\x04{texts[1]}")
    return found


def msgids(catalogue: dict) -> set:
    """A plural entry counts once, by its first form: Chinese has a single plural form."""
    return {key[0] if isinstance(key, tuple) else key for key, text in catalogue.items() if text}


def test_every_msgid_has_a_chinese_translation(tmp_path, monkeypatch):
    translated = msgids(compiled(CATALOGUE, tmp_path / "zh.mo"))
    source = extracted_msgids(tmp_path, monkeypatch) | python_msgids()
    assert len(source) > 500, "makemessages found too few strings: the extraction is broken"
    missing = sorted(key.replace("\x04", " | ") for key in source - translated)
    assert not missing, "msgids without a Chinese translation:\n" + "\n".join(missing)


def test_bank_result_columns_and_the_roster_admin_are_named_in_chinese():
    with translation.override("zh-hans"):
        assert [str(label) for label in FIELD_LABELS.values()] == ["业务参考号", "状态", "失败原因", "金额"]
        assert (str(Roster._meta.verbose_name), str(Roster._meta.verbose_name_plural)) == ("名册", "名册")
