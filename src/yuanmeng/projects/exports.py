"""Projects as a spreadsheet, with the list's filters."""

from django.utils.translation import gettext_lazy as _

from yuanmeng.core.exports import Column, ListExport, param_choice, register
from yuanmeng.projects import selectors
from yuanmeng.projects.models import ProjectKind, ProjectStatus

PROJECT_COLUMNS = [
    Column(_("Project"), lambda p: p.name, 30), Column(_("Kind"), lambda p: p.get_kind_display(), 16),
    Column(_("Lead organisation"), lambda p: p.lead.name, 24),
    Column(_("Starts on"), lambda p: p.starts_on.isoformat(), 12),
    Column(_("Ends on"), lambda p: p.ends_on.isoformat(), 12),
    Column(_("Status"), lambda p: p.get_status_display(), 10),
    Column(_("Named participants"), lambda p: p.named or 0),
    Column(_("Participants not named"), lambda p: p.unnamed_participants),
    Column(_("Partners"), lambda p: "、".join(org.name for org in p.partners.all()), 40),
]


def project_rows(user, params):
    """The project page's and ``GET /api/projects``'s filters: ``status``, ``kind``, ``q``."""
    return selectors.project_list(user=user, status=param_choice(params, "status", ProjectStatus),
                                  kind=param_choice(params, "kind", ProjectKind),
                                  search=params.get("q", "")).prefetch_related("partners")


register(ListExport(name="projects", title=_("Education and skills projects"), filename="projects",
                    columns=lambda user: PROJECT_COLUMNS, rows=project_rows))
