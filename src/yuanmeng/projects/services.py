"""Registering projects, their partners and participants, and moving their status (``workflow.TRANSITIONS``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record, changes
from yuanmeng.core.editing import clean_description, clean_editable, snapshot
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.models import Worker
from yuanmeng.projects.models import Project, ProjectKind, ProjectParticipant, ProjectStatus
from yuanmeng.projects.selectors import partner_candidates
from yuanmeng.projects.workflow import TRANSITIONS

EDITABLE_FIELDS = ("name", "kind", "starts_on", "ends_on", "unnamed_participants", "description")
MAX_PARTNERS = 50


def _require(by, organisation) -> None:
    if not has_capability(by, Capability.MANAGE_PROJECTS, organisation.path):
        raise PermissionDenied(_("You may manage projects only of your own organisation and those below it."))


def _clean_one(name: str, value):
    if name == "name":
        return clean_text(value, max_length=200, required=True)
    if name == "kind" and value not in ProjectKind.values:
        raise ValidationError(_("Choose from the listed options."))
    if name in ("starts_on", "ends_on") and not isinstance(value, datetime.date):
        raise ValidationError(_("Enter a date."))
    if name == "unnamed_participants" and (not isinstance(value, int) or not 0 <= value <= 10_000_000):
        raise ValidationError(_("A whole number from 0 to 10,000,000."))
    if name == "description":
        return clean_description(value)
    return value


def _clean(fields: dict) -> dict:
    return clean_editable(fields, EDITABLE_FIELDS, _clean_one)


def _check_period(project: Project) -> None:
    if project.ends_on < project.starts_on:
        raise ValidationError({"ends_on": [_("The project ends before it starts.")]})


def _partners(by, lead, partners) -> list[Organisation]:
    """The partner organisations (active, other than the lead, each one ``partner_candidates`` offers the
    caller), at most ``MAX_PARTNERS``."""
    partners = list(dict.fromkeys(partners))
    if len(partners) > MAX_PARTNERS:
        raise ValidationError({"partners": [_("At most %(n)d partners.") % {"n": MAX_PARTNERS}]})
    offered = set(partner_candidates(by).filter(pk__in=[org.pk for org in partners]).values_list("pk", flat=True))
    if any(org.pk not in offered for org in partners):
        raise ValidationError({"partners": [_("No such organisation.")]})
    if any(not org.is_active for org in partners):
        raise ValidationError({"partners": [_("A partner organisation is no longer active.")]})
    if any(org.pk == lead.pk for org in partners):
        raise ValidationError({"partners": [_("The lead organisation is not its own partner.")]})
    return partners


def _snapshot(project: Project) -> dict:
    return snapshot(project, EDITABLE_FIELDS)


def _lock_open(project: Project) -> None:
    """Lock the project's row until commit and read it again into ``project``; a finished or cancelled project
    (also one finished or cancelled meanwhile) is refused, so no change undoes that."""
    project.refresh_from_db(from_queryset=Project.objects.select_for_update())
    if project.status in (ProjectStatus.FINISHED, ProjectStatus.CANCELLED):
        raise ValidationError(_("A finished or cancelled project cannot be changed."))


@transaction.atomic
def project_create(*, by, lead, partners=(), **fields) -> Project:
    _require(by, lead)
    missing = {f: [_("This field is required.")] for f in ("name", "kind", "starts_on", "ends_on")
               if not fields.get(f)}
    if missing:
        raise ValidationError(missing)
    project = Project(lead=lead, **_clean(fields))
    _check_period(project)
    partners = _partners(by, lead, partners)
    project.save()
    project.partners.set(partners)
    after = _snapshot(project) | {"partners": [org.code for org in partners]}
    audit_record(actor=by, action="project.create", obj=project, organisation=lead, after=after)
    return project


@transaction.atomic
def project_update(*, by, project: Project, partners=None, **fields) -> Project:
    """Change the project's terms (and, with ``partners``, its partners); a finished or cancelled project is
    closed."""
    _require(by, project.lead)
    cleaned = _clean(fields)
    _lock_open(project)
    before = _snapshot(project)
    for name, value in cleaned.items():
        setattr(project, name, value)
    _check_period(project)
    project.save(update_fields=list(cleaned))
    old, new = changes(before, _snapshot(project))
    if partners is not None:
        previous = sorted(project.partners.values_list("code", flat=True))
        partners = _partners(by, project.lead, partners)
        project.partners.set(partners)
        if sorted(org.code for org in partners) != previous:
            old["partners"], new["partners"] = previous, sorted(org.code for org in partners)
    if new:
        audit_record(actor=by, action="project.update", obj=project, organisation=project.lead,
                     before=old, after=new)
    return project


@transaction.atomic
def project_transition(*, by, project: Project, action: str) -> Project:
    """Apply ``action`` by ``workflow.TRANSITIONS`` with a conditional UPDATE (someone else's change wins)."""
    _require(by, project.lead)
    target = TRANSITIONS.get((project.status, action))
    if target is None:
        raise ValidationError({"action": [_("This action is not open to a project in this status.")]})
    if not Project.objects.filter(pk=project.pk, status=project.status).update(status=target):
        raise ValidationError(_("Someone else changed this project; reload and try again."))
    before = project.status
    project.status = target
    audit_record(actor=by, action=f"project.{action}", obj=project, organisation=project.lead,
                 before={"status": before}, after={"status": target})
    return project


@transaction.atomic
def project_participants_add(*, by, project: Project, workers) -> int:
    """Name workers as participants (each once; those already named are left as they are). Workers must be in
    the caller's sight. Returns how many were added."""
    _require(by, project.lead)
    _lock_open(project)
    ids = list(dict.fromkeys(worker.pk for worker in workers))
    if Worker.objects.restrict(by).filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"workers": [_("A worker is not within your organisation.")]})
    known = set(project.participants.filter(worker_id__in=ids).values_list("worker_id", flat=True))
    new = [ProjectParticipant(project=project, worker_id=pk) for pk in ids if pk not in known]
    ProjectParticipant.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit_record(actor=by, action="project.participants_add", obj=project, organisation=project.lead,
                     after={"workers": len(new)})
    return len(new)


@transaction.atomic
def project_participant_remove(*, by, project: Project, worker: Worker) -> None:
    """Take a named worker off an open project (a finished or cancelled one keeps its participants)."""
    _require(by, project.lead)
    _lock_open(project)
    if not project.participants.filter(worker=worker).delete()[0]:
        raise ValidationError({"worker": [_("This worker is not a participant.")]})
    audit_record(actor=by, action="project.participant_remove", obj=project, organisation=project.lead,
                 before={"worker": worker.pk})
