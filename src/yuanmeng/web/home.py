"""What each role sees first: a summary of its own subtree, built from a few grouped queries."""

from collections import defaultdict

from django.db.models import Count, F, Q

from yuanmeng.audit.selectors import audit_list
from yuanmeng.orgs.models import Enterprise, Organisation, OrgKind
from yuanmeng.orgs.roles import Capability, Role
from yuanmeng.orgs.scoping import grants, has_capability
from yuanmeng.people.models import Worker

WORKER_COUNTS = {
    "workers": Count("id"),
    "migrants": Count("id", filter=Q(is_migrant_worker=True)),
    "new_form": Count("id", filter=Q(is_new_employment_form=True)),
    "honoured": Count("id", filter=~Q(model_worker_level="") | ~Q(labour_medal_level="")),
    "with_bank": Count("id", filter=~Q(bank_account_masked="")),
}


NOT_AREAS = (OrgKind.SCHOOL, OrgKind.PROVIDER)


def _sum_by_child(rows, children) -> dict[int, dict]:
    """Fold per-enterprise counts (keyed by the enterprise's path) into the child that contains it."""
    totals: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        path = row.pop("path")
        for child in children:
            if path.startswith(child.path):
                for key, value in row.items():
                    totals[child.pk][key] += value
                break
    return totals


def area_summary(user, root: Organisation) -> dict:
    """Totals for ``root`` and a row per direct child: enterprises, workers and priority groups."""
    children = list(root.children.filter(is_active=True).exclude(kind__in=NOT_AREAS).order_by("kind", "name"))
    workers = (
        Worker.objects.restrict(user)
        .filter(employer__organisation__path__startswith=root.path)
        .values(path=F("employer__organisation__path"))
        .annotate(**WORKER_COUNTS)
        .order_by()
    )
    enterprises = (
        Enterprise.objects.restrict(user)
        .filter(organisation__path__startswith=root.path)
        .values(path=F("organisation__path"))
        .annotate(enterprises=Count("id"))
        .order_by()
    )
    worker_rows, enterprise_rows = list(workers), list(enterprises)
    totals = {key: sum(r[key] for r in worker_rows) for key in WORKER_COUNTS}
    totals["enterprises"] = sum(r["enterprises"] for r in enterprise_rows)
    by_child = _sum_by_child(worker_rows, children)
    for child_id, counts in _sum_by_child(enterprise_rows, children).items():
        by_child[child_id]["enterprises"] = counts["enterprises"]
    rows = [{"org": child, **by_child.get(child.pk, {})} for child in children]
    return {"root": root, "totals": totals, "rows": rows}


def home_context(user) -> dict:
    context: dict = {}
    worker = Worker.objects.select_related("employer", "employer__organisation").filter(user=user).first()
    if worker is not None:
        context["worker"] = worker
    roots = Organisation.objects.filter(pk__in={g.organisation_id for g in grants(user)}).order_by("depth")
    context["grants"] = [
        (Role(g.role).label, org) for org in roots for g in grants(user) if g.organisation_id == org.pk
    ]
    root = roots.first()
    if root is not None and root.kind not in NOT_AREAS:
        context["summary"] = area_summary(user, root)
    if root is not None and root.kind == OrgKind.SCHOOL:
        context["school"] = root
    if has_capability(user, Capability.VIEW_AUDIT):
        context["recent_audit"] = audit_list(user=user)[:8]
    context["can_register_workers"] = has_capability(user, Capability.CHANGE_WORKERS)
    context["can_add_enterprises"] = has_capability(user, Capability.CHANGE_ORGS)
    return context
