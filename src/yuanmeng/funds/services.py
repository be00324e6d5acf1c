"""Moving money between a budget's totals, one ledger entry at a time, never below zero."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.money import fen_to_yuan
from yuanmeng.core.text import clean_text
from yuanmeng.funds.models import Budget, EntryKind, FundSource, LedgerEntry
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability

# What one fen of each kind does to (allocated, reserved, paid).
EFFECTS = {
    EntryKind.ALLOCATE: (1, 0, 0),
    EntryKind.RESERVE: (0, 1, 0),
    EntryKind.RELEASE: (0, -1, 0),
    EntryKind.PAY: (0, -1, 1),
    EntryKind.REVERSE: (0, 0, -1),
}
REFUSALS = {
    EntryKind.ALLOCATE: "The budget cannot go below what is already reserved or paid (%(committed)s yuan).",
    EntryKind.RESERVE: "Not enough money left in %(budget)s: %(available)s yuan available.",
    EntryKind.RELEASE: "Cannot release more than is reserved in %(budget)s.",
    EntryKind.PAY: "Cannot pay more than is reserved in %(budget)s.",
    EntryKind.REVERSE: "Cannot reverse more than was paid from %(budget)s.",
}


def post(*, budget: Budget, kind: str, amount_fen: int, reference: str = "", note: str = "", by=None) -> LedgerEntry:
    """One entry and its totals in one conditional UPDATE: refused (ValidationError) if a total would break.

    Runs inside the caller's transaction. The WHERE clause is re-checked by PostgreSQL after any
    concurrent writer commits, so two reservations racing for the last yuan cannot both succeed.
    """
    if kind != EntryKind.ALLOCATE and amount_fen <= 0:
        raise ValueError("amounts other than allocations are positive")
    d_allocated, d_reserved, d_paid = (amount_fen * effect for effect in EFFECTS[kind])
    guard = Q(pk=budget.pk, allocated_fen__gte=F("reserved_fen") + F("paid_fen") + d_reserved + d_paid - d_allocated)
    if d_reserved < 0:
        guard &= Q(reserved_fen__gte=-d_reserved)
    if d_paid < 0:
        guard &= Q(paid_fen__gte=-d_paid)
    updated = Budget.objects.filter(guard).update(
        allocated_fen=F("allocated_fen") + d_allocated, reserved_fen=F("reserved_fen") + d_reserved,
        paid_fen=F("paid_fen") + d_paid)
    if not updated:
        budget.refresh_from_db()
        raise ValidationError(_(REFUSALS[kind]) % {
            "budget": budget, "available": fen_to_yuan(budget.available_fen),
            "committed": fen_to_yuan(budget.reserved_fen + budget.paid_fen)})
    return LedgerEntry.objects.create(budget=budget, kind=kind, amount_fen=amount_fen, reference=reference[:80],
                                      note=note[:200], actor=by if getattr(by, "pk", None) else None)


def _require(by, organisation) -> None:
    if not has_capability(by, Capability.MANAGE_FUNDS, organisation.path):
        raise PermissionDenied(_("You may manage budgets only of your own union and the unions below it."))


@transaction.atomic
def budget_create(*, by, organisation, year: int, source: str, name: str, amount_fen: int) -> Budget:
    _require(by, organisation)
    if source not in FundSource.values:
        raise ValidationError({"source": [_("Choose from the listed options.")]})
    if amount_fen < 0:
        raise ValidationError({"amount_fen": [_("A budget cannot be negative.")]})
    name = clean_text(name, max_length=120) or f"{organisation.name} {year}"
    try:
        with transaction.atomic():
            budget = Budget.objects.create(organisation=organisation, year=year, source=source, name=name)
    except IntegrityError:
        raise ValidationError({"year": [_("This union already has a budget of that source for that year.")]}) \
            from None
    if amount_fen:
        post(budget=budget, kind=EntryKind.ALLOCATE, amount_fen=amount_fen, reference="budget:create", by=by)
        budget.refresh_from_db()
    audit_record(actor=by, action="budget.create", obj=budget, organisation=organisation,
                 after={"year": year, "source": source, "allocated_fen": amount_fen})
    return budget


@transaction.atomic
def budget_set_total(*, by, budget: Budget, total_fen: int, note: str = "") -> Budget:
    """Raise or lower the allocation; never below what is already reserved or paid."""
    _require(by, budget.organisation)
    if total_fen < 0:
        raise ValidationError({"total_fen": [_("A budget cannot be negative.")]})
    budget = Budget.objects.select_for_update().select_related("organisation").get(pk=budget.pk)
    delta = total_fen - budget.allocated_fen
    if delta:
        try:
            post(budget=budget, kind=EntryKind.ALLOCATE, amount_fen=delta, reference="budget:adjust",
                 note=clean_text(note, max_length=200), by=by)
        except ValidationError as exc:
            raise ValidationError({"total_fen": exc.messages}) from None
        audit_record(actor=by, action="budget.adjust", obj=budget, organisation=budget.organisation,
                     before={"allocated_fen": budget.allocated_fen}, after={"allocated_fen": total_fen})
        budget.refresh_from_db()
    return budget


@dataclass
class LedgerCheck:
    budgets: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def funds_verify() -> LedgerCheck:
    """Every budget's totals, re-derived from its ledger in one grouped query, against the stored totals."""
    sums = {(row["budget_id"], row["kind"]): row["total"] for row in
            LedgerEntry.objects.values("budget_id", "kind").annotate(total=Sum("amount_fen")).order_by()}
    problems = []
    budgets = list(Budget.objects.all())
    for budget in budgets:
        derived = [0, 0, 0]
        for kind, effects in EFFECTS.items():
            total = sums.get((budget.pk, kind), 0)
            for i, effect in enumerate(effects):
                derived[i] += effect * total
        stored = [budget.allocated_fen, budget.reserved_fen, budget.paid_fen]
        if derived != stored:
            problems.append(f"budget {budget.pk}: ledger gives {derived}, totals say {stored}")
    return LedgerCheck(len(budgets), problems)
