"""What each role sees first: the work waiting for them, and a summary of their own subtree, read from the stats
rollups or built from a few grouped queries.

Work waiting is one small list of cards (``work_cards``): each a bounded count (``core/waiting.py``) read by the
owning app's selector, with the link to the list that shows exactly those rows, oldest first.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yuanmeng.applications.selectors import applications_waiting
from yuanmeng.audit.selectors import audit_list
from yuanmeng.core.waiting import Waiting, waiting
from yuanmeng.jobs.selectors import jobs_failed
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability, Role
from yuanmeng.orgs.scoping import grants, has_capability
from yuanmeng.payouts.my_money import worker_home
from yuanmeng.payouts.selectors import batches_waiting
from yuanmeng.people.models import Worker
from yuanmeng.people.permissions import may_confirm_members
from yuanmeng.people.selectors import members_to_confirm
from yuanmeng.stats.selectors import registry_for, stages_for
from yuanmeng.training_orders.selectors import waiting_orders
from yuanmeng.training_orders.workflow import State

NOT_AREAS = (OrgKind.SCHOOL, OrgKind.PROVIDER)


def area_summary(user, root: Organisation) -> dict:
    """Totals for ``root`` and a row per direct child (enterprises, workers and priority groups), read from the
    stats app's registry rollup: a few rows whatever the subtree's size, as of its last refresh (``as_of``; None
    before the first, when there are no figures to show)."""
    registry = registry_for(user, organisation_id=root.pk, child_kinds_left_out=NOT_AREAS)
    if registry is None:
        return {"root": root, "as_of": None, "totals": {}, "rows": []}
    return {"root": root, "as_of": registry.as_of, "totals": registry.total,
            "rows": [{"org": child, **counts} for child, counts in registry.children]}


@dataclass(frozen=True)
class Card:
    """One kind of work waiting: its name, how many (bounded) and since when, and the list of exactly those."""

    label: str
    waiting: Waiting
    url: str


def work_cards(user) -> list[Card]:
    """The work waiting for this user's roles, one card per kind, each one indexed and bounded query."""
    queue, batches = reverse("review_queue"), reverse("batch_list")
    cards = [Card(work.label, counted, f"{queue}?waiting={work.key}") for work, counted in applications_waiting(user)]
    if may_confirm_members(user):
        cards.insert(0, Card(_("Members to confirm"), waiting(members_to_confirm(user), "created_at"),
                             reverse("members_to_confirm")))
    cards += [Card(work.label, counted, f"{batches}?waiting={work.key}") for work, counted in batches_waiting(user)]
    if has_capability(user, Capability.TAKE_TRAINING_ORDERS):
        cards.append(Card(_("Training orders to take"), waiting(waiting_orders(user=user), "created_at"),
                          f"{reverse('training_order_list')}?state={State.REQUESTED}"))
    failed = jobs_failed(user) if grants(user) else None
    if failed is not None and (cards or failed.count):  # a viewer's home shows it only when a task failed
        cards.append(Card(_("Tasks that failed"), failed, f"{reverse('job_list')}?state=failed"))
    return cards


# A province's or a nation's summary: where the applications of each region below stand, and the money paid.
STAGES = {"under_review": _("Under review"), "pre_registered": _("Pre-registered"),
          "diploma_verified": _("Diploma verified"), "paid": _("Paid")}
SUMMARY_ROLES = (Role.VIEWER, Role.AUDITOR)
ABOVE_CITY = (OrgKind.NATIONAL, OrgKind.PROVINCE)


def child_summary(user, root: Organisation) -> dict:
    """Per child of a province or the nation: applications by stage and money paid, read from the stats rollups (a
    few rows whatever the subtree's size), as of their last refresh (``as_of``; None before the first)."""
    stages = stages_for(user, organisation_id=root.pk, child_kinds_left_out=NOT_AREAS)
    if stages is None or stages.as_of is None:
        return {"root": root, "as_of": None, "stages": list(STAGES.values()), "rows": [], "totals": {}}

    def row(counts: dict) -> dict:
        return {"stages": [counts[key] for key in STAGES], "paid_fen": counts["paid_fen"]}

    return {"root": root, "as_of": stages.as_of, "stages": list(STAGES.values()),
            "rows": [{"org": child, **row(counts)} for child, counts in stages.children],
            "totals": {"stages": list(zip(STAGES.values(), row(stages.total)["stages"], strict=True)),
                       "paid_fen": stages.total["paid_fen"]}}


def _sees_children_summary(user, root: Organisation) -> bool:
    """Province and national viewers and auditors compare the regions below them rather than read raw lists."""
    return root.kind in ABOVE_CITY and any(
        g.role in SUMMARY_ROLES and g.organisation_id == root.pk for g in grants(user))


def home_context(user) -> dict:
    context: dict = {}
    worker = Worker.objects.select_related("employer", "employer__organisation").filter(user=user).first()
    if worker is not None:
        context["worker"] = worker
        context.update(worker_home(worker))
    roots = Organisation.objects.filter(pk__in={g.organisation_id for g in grants(user)}).order_by("depth")
    context["grants"] = [
        (Role(g.role).label, org) for org in roots for g in grants(user) if g.organisation_id == org.pk
    ]
    root = roots.first()
    if root is not None and _sees_children_summary(user, root):
        context["children_summary"] = child_summary(user, root)
    elif root is not None and root.kind not in NOT_AREAS:
        context["summary"] = area_summary(user, root)
    context["work"] = work_cards(user)
    if root is not None and root.kind == OrgKind.SCHOOL:
        context["school"] = root
    if has_capability(user, Capability.VIEW_AUDIT):
        context["recent_audit"] = audit_list(user=user)[:8]
    context["can_register_workers"] = has_capability(user, Capability.CHANGE_WORKERS)
    context["can_add_enterprises"] = has_capability(user, Capability.CHANGE_ORGS)
    return context
