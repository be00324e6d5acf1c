"""The floors of the house (docs/architecture.md): a module imports only its own floor and the floors below.

Every module under src/yuanmeng is parsed with ``ast``, and every import is read — also those inside functions,
and migrations, which import what any module does. A lower floor learns about a higher one through a registry
that the higher app fills in its ``AppConfig.ready()``, never by importing it.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "yuanmeng"

# Lowest first. "project" is the project package's own modules: settings, urls, api (the API's root), wsgi, asgi,
# manage, config_secrets.
FLOORS = [
    ["core"],
    ["audit", "notify"],
    ["orgs", "accounts"],
    ["jobs"],
    ["people"],
    ["policies"],
    ["funds"],
    ["applications"],
    ["payouts"],
    ["training", "surveys", "projects", "credits"],
    ["stats"],
    ["web", "demo", "backups", "project"],
]
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}

# Apps of one floor do not import each other (audit and notify need nothing of one another), except these uses.
SAME_FLOOR_USES = {
    ("accounts", "orgs"),  # an account's roles are its memberships in the organisation tree
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _app(module: str) -> str:
    """The app a module of the package belongs to: its folder, or "project" for the package's own modules."""
    parts = module.split(".")
    if len(parts) < 2:
        return "project"
    return parts[1] if (PACKAGE / parts[1]).is_dir() else "project"


def _imported_modules(tree: ast.Module, module: str, is_package: bool):
    """(line, module) for every import in the tree, relative ones made absolute."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            if base == "yuanmeng":  # from yuanmeng import people: the names are the modules
                for alias in node.names:
                    yield node.lineno, f"yuanmeng.{alias.name}"
            else:
                yield node.lineno, base


def floor_violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        app = _app(module)
        assert app in FLOOR, f"{module}: the app {app!r} has no floor; add it to FLOORS and docs/architecture.md"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in _imported_modules(tree, module, path.name == "__init__.py"):
            if imported.split(".")[0] != "yuanmeng":
                continue
            used = _app(imported)
            if used == app:
                continue
            assert used in FLOOR, f"{module}:{line} imports {imported}, whose app {used!r} has no floor"
            if FLOOR[used] < FLOOR[app] or (app, used) in SAME_FLOOR_USES:
                continue
            where = "the same floor" if FLOOR[used] == FLOOR[app] else "a higher floor"
            found.append(f"{path.relative_to(PACKAGE.parents[1])}:{line}: {app} imports {used} ({imported}), "
                         f"on {where}")
    return found


def test_no_module_imports_an_app_on_a_higher_floor():
    found = floor_violations()
    assert not found, "imports against the floors:\n" + "\n".join(found)


def test_the_check_reads_relative_imports_and_those_inside_functions():
    tree = ast.parse("from . import models\nfrom ..web import pages\n"
                     "def f():\n    import yuanmeng.stats.x\n    from yuanmeng import demo\n")
    assert list(_imported_modules(tree, "yuanmeng.core.api", is_package=False)) == [
        (1, "yuanmeng.core"), (2, "yuanmeng.web"), (4, "yuanmeng.stats.x"), (5, "yuanmeng.demo")]
    assert [_app(name) for name in ("yuanmeng.web.pages", "yuanmeng.urls", "yuanmeng")] == ["web", "project", "project"]
