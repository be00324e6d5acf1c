"""The floors of the house (docs/architecture.md): a module imports only its own floor and the floors below.

Every module under src/yuanmeng is parsed with ``ast``, and every import is read — also those inside functions,
and migrations, which import what any module does. A lower floor learns about a higher one through a registry
that the higher app fills in its ``AppConfig.ready()``, never by importing it.

A model names another app's model without importing it: ``ForeignKey("people.Worker")``, and its migrations
depend on that app. Those are read too — relation fields in models.py and the ``dependencies`` of migrations,
by Django app label — and a relation to a higher floor must be listed in ``UPWARD_RELATIONS`` with its reason.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps

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
    ["training", "training_orders", "surveys", "projects", "credits"],
    ["stats"],
    ["web", "demo", "backups", "project"],
]
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}

# Apps of one floor do not import each other (audit and notify need nothing of one another), except these uses.
SAME_FLOOR_USES = {
    ("accounts", "orgs"),  # an account's roles are its memberships in the organisation tree
    ("training_orders", "training"),  # an order is trained in a skill category, at a place of the network
    ("surveys", "training_orders"),  # an enterprise's answers to a needs survey become its training order
    ("surveys", "training"),  # the skill category of that order is guessed from the answers
}

# Relation fields to a model on a higher floor ("app.Model.field", "app.Model"), each with why it is there. The
# app's migrations may depend on the app of an allowed relation, and on no other higher one.
UPWARD_RELATIONS = {
    ("notify.Message.worker", "people.Worker"): "a message is addressed to a worker: their inbox and the SMS to "
                                                 "their mobile are found through it (no constraint: a payout round "
                                                 "writes a million at once)",
    ("audit.AuditEntry.organisation", "orgs.Organisation"): "an entry is filed under the organisation whose "
                                                            "records it changes, so each union reads the trail of "
                                                            "its own subtree (no constraint: the trail outlives "
                                                            "what it names)",
}
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


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


def _relations(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """(line, "Model.field", target) for every relation field of a class whose target is a string naming another
    app's model, "app_label.Model" (first argument or ``to=``)."""
    for model in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for statement in model.body:
            call = statement.value if isinstance(statement, ast.Assign) else None
            if not isinstance(call, ast.Call):
                continue
            kind = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            target = next((keyword.value for keyword in call.keywords if keyword.arg == "to"),
                          call.args[0] if call.args else None)
            if kind in RELATION_FIELDS and isinstance(target, ast.Constant) and "." in str(target.value):
                yield statement.lineno, f"{model.name}.{statement.targets[0].id}", target.value


def _dependencies(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, app label) for every ("app_label", "migration") pair in a migration's ``dependencies``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "dependencies" for target in node.targets):
            for pair in getattr(node.value, "elts", []):
                if isinstance(pair, ast.Tuple) and pair.elts and isinstance(pair.elts[0], ast.Constant):
                    yield pair.lineno, pair.elts[0].value


def _app_folders() -> dict[str, str]:
    """Our apps' Django labels → their folders (a label is the folder's name unless the app config sets one)."""
    return {config.label: config.name.split(".")[1] for config in apps.get_app_configs()
            if config.name.startswith("yuanmeng.")}


def _against_floors(app: str, used: str) -> str | None:
    """Where ``used`` stands if ``app`` may not use it ("the same floor", "a higher floor"); None if it may."""
    if used == app or FLOOR[used] < FLOOR[app] or (app, used) in SAME_FLOOR_USES:
        return None
    return "the same floor" if FLOOR[used] == FLOOR[app] else "a higher floor"


def _modules() -> Iterator[tuple[Path, str, str, ast.Module]]:
    """(path, module, app, tree) for every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        app = _app(module)
        assert app in FLOOR, f"{module}: the app {app!r} has no floor; add it to FLOORS and docs/architecture.md"
        yield path, module, app, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def floor_violations() -> list[str]:
    found = []
    for path, module, app, tree in _modules():
        for line, imported in _imported_modules(tree, module, path.name == "__init__.py"):
            if imported.split(".")[0] != "yuanmeng":
                continue
            used = _app(imported)
            assert used in FLOOR, f"{module}:{line} imports {imported}, whose app {used!r} has no floor"
            if where := _against_floors(app, used):
                found.append(f"{path.relative_to(PACKAGE.parents[1])}:{line}: {app} imports {used} ({imported}), "
                             f"on {where}")
    return found


def relation_violations() -> list[str]:
    """Relation fields and migration dependencies that reach an app on a higher floor, beyond ``UPWARD_RELATIONS``."""
    folders = _app_folders()
    allowed_apps = {(field.split(".")[0], folders[target.split(".")[0]]) for field, target in UPWARD_RELATIONS}
    found = []
    for path, _module, app, tree in _modules():
        here = path.relative_to(PACKAGE.parents[1])
        if path.name == "models.py":
            for line, field, target in _relations(tree):
                used = folders.get(target.split(".")[0])  # none: Django's own apps, below every floor
                where = used and _against_floors(app, used)
                if where and (f"{app}.{field}", target) not in UPWARD_RELATIONS:
                    found.append(f"{here}:{line}: {app}.{field} refers to {target}, on {where}; "
                                 "list it in UPWARD_RELATIONS with the reason, or turn it round")
        if path.parent.name == "migrations":
            for line, label in _dependencies(tree):
                used = folders.get(label)
                where = used and _against_floors(app, used)
                if where and (app, used) not in allowed_apps:
                    found.append(f"{here}:{line}: a migration of {app} depends on {used}, on {where}")
    return found


def test_no_module_imports_an_app_on_a_higher_floor():
    found = floor_violations()
    assert not found, "imports against the floors:\n" + "\n".join(found)


def test_no_model_refers_to_an_app_on_a_higher_floor_unless_listed_with_its_reason():
    found = relation_violations()
    assert not found, "relations against the floors:\n" + "\n".join(found)


def test_each_listed_upward_relation_exists():
    folders = _app_folders()
    fields = {(f"{folders[model._meta.app_label]}.{model.__name__}.{field.name}",
               f"{field.related_model._meta.app_label}.{field.related_model.__name__}")
              for model in apps.get_models() if model._meta.app_label in folders
              for field in model._meta.get_fields() if field.is_relation and field.concrete}
    assert set(UPWARD_RELATIONS) <= fields


def test_the_check_reads_relation_targets_and_migration_dependencies():
    models = ast.parse("class Message(models.Model):\n"
                       "    worker = models.ForeignKey('people.Worker', on_delete=models.CASCADE)\n"
                       "    school = OneToOneField(on_delete=models.PROTECT, to='orgs.School')\n"
                       "    tags = models.ManyToManyField('Tag')\n"
                       "    parent = models.ForeignKey('self', on_delete=models.PROTECT)\n")
    assert list(_relations(models)) == [(2, "Message.worker", "people.Worker"), (3, "Message.school", "orgs.School")]
    migration = ast.parse("class Migration(migrations.Migration):\n"
                          "    dependencies = [\n        ('people', '0001_initial'),\n"
                          "        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n    ]\n")
    assert list(_dependencies(migration)) == [(3, "people")]
    assert (_against_floors("notify", "people"), _against_floors("people", "notify")) == ("a higher floor", None)


def test_the_check_reads_relative_imports_and_those_inside_functions():
    tree = ast.parse("from . import models\nfrom ..web import pages\n"
                     "def f():\n    import yuanmeng.stats.x\n    from yuanmeng import demo\n")
    assert list(_imported_modules(tree, "yuanmeng.core.api", is_package=False)) == [
        (1, "yuanmeng.core"), (2, "yuanmeng.web"), (4, "yuanmeng.stats.x"), (5, "yuanmeng.demo")]
    assert [_app(name) for name in ("yuanmeng.web.pages", "yuanmeng.urls", "yuanmeng")] == ["web", "project", "project"]
