"""Every file the docs name exists in the repository.

A named file is a Markdown link's target (`[text](docs/security.md)`), a backticked word with a folder and a file
extension (`core/imports.py`), or a bare word starting with one of the repository's top folders
(docs/security.md). It is looked up from the repository's root, from `src/yuanmeng/` (the docs name an app's
modules from there) and from the document's own folder, and must be inside the repository. Only paths are
checked, not what the prose says of them.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
EXTENSIONS = (".py", ".md", ".html", ".sh", ".toml", ".po", ".txt", ".tsv")
CODE = re.compile(r"`([^`\s]+)`")
LINK = re.compile(r"\]\(([^)\s#]+)")
BARE = re.compile(r"(?<![\w/.`-])((?:docs|src|tests|bench|scripts)/[\w./-]*\w)")


def named_paths(text: str) -> set[str]:
    words = {word for word in {*CODE.findall(text), *BARE.findall(text)} if word.endswith(EXTENSIONS) and "/" in word}
    words |= set(LINK.findall(text))
    return {word for word in words
            if not word.startswith(("/", "http:", "https:", "mailto:", "$", "~")) and not re.search(r"[<>*{}]", word)}


def found(path: str, doc: Path) -> bool:
    for base in (ROOT, ROOT / "src" / "yuanmeng", doc.parent):
        target = (base / path).resolve()
        if target.is_relative_to(ROOT) and target.exists():
            return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_every_named_file_exists(doc):
    missing = sorted(path for path in named_paths(doc.read_text()) if not found(path, doc))
    assert not missing, f"{doc.relative_to(ROOT)} names files that are not in the repository: {missing}"


def test_the_check_finds_each_form_and_refuses_outside_paths():
    text = "See `core/imports.py`, [the guide](docs/user-guide.md), docs/security.md, `../shared/STYLE.md`."
    assert named_paths(text) == {"core/imports.py", "docs/user-guide.md", "docs/security.md", "../shared/STYLE.md"}
    assert found("core/imports.py", ROOT / "README.md") and not found("../shared/STYLE.md", ROOT / "docs" / "x.md")
