"""Reads of the tree, shared by pages, API and admin; always scoped to the caller."""

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from yuanmeng.core.text import clean_search
from yuanmeng.core.validators import normalise_text
from yuanmeng.orgs.models import Enterprise, Organisation
from yuanmeng.orgs.scoping import grants


def organisation_list(*, user, kind: str = "", parent_id: int | None = None, search: str = ""):
    qs = Organisation.objects.restrict(user).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    search = clean_search(search)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__iexact=search))
    return qs


def enterprise_list(*, user, industry: str = "", search: str = "", within=None):
    qs = Enterprise.objects.restrict(user).select_related("organisation", "organisation__parent")
    if industry:
        qs = qs.filter(industry=industry)
    if within is not None:
        qs = qs.filter(organisation__path__startswith=within.path)
    search = clean_search(search)
    if search:
        qs = qs.filter(Q(legal_name__icontains=search) | Q(credit_code=normalise_text(search).upper()))
    return qs.annotate(worker_count=_worker_count()).order_by("legal_name")


def _worker_count() -> Subquery:
    """Each enterprise's workers, counted per row shown: a correlated subquery, which the database evaluates after
    the page's LIMIT (a GROUP BY over the join would count every worker of the scope for 25 rows). It counts the
    workers' employer column, which the employer index holds: no worker row is read (60,000 an enterprise: 15 ms)."""
    workers = Count("workers__employer")
    return Subquery(Enterprise.objects.filter(pk=OuterRef("pk")).order_by().annotate(n=workers).values("n"))


def home_organisations(user) -> list[Organisation]:
    """The organisations where the user holds a role, outermost first."""
    ids = {g.organisation_id for g in grants(user)}
    return list(Organisation.objects.filter(pk__in=ids).select_related("parent").order_by("depth", "name"))


def child_containing(children: list[Organisation], path_field: str) -> Case:
    """An SQL expression: the id of the child (of one parent) whose subtree holds the row's ``path_field``. Group
    by it to total a subtree per child in one query, however many children (their paths do not overlap)."""
    return Case(*[When(**{f"{path_field}__startswith": child.path}, then=Value(child.pk)) for child in children],
                default=None, output_field=IntegerField())


def organisations_by_code(text: str, among: QuerySet) -> tuple[list[Organisation], list[str]]:
    """The active organisations of ``among`` (a queryset of organisations: the caller's scope) whose codes ``text``
    lists (one per line, or separated by commas, 、 or spaces), in the order written, and the codes of none — also
    those of an organisation outside ``among``, so that a code reveals nothing beyond the caller's scope."""
    for mark in (",", "，", "、"):
        text = text.replace(mark, " ")
    wanted = list(dict.fromkeys(text.split()))
    found = {org.code: org for org in among.filter(code__in=wanted, is_active=True)}
    return [found[code] for code in wanted if code in found], [code for code in wanted if code not in found]
