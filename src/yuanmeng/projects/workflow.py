"""The project's status as data: state → action → next state. Keys are stable (stored in rows)."""

from django.utils.translation import gettext_lazy as _

from yuanmeng.projects.models import ProjectStatus

ACTIONS = {"start": _("Start"), "finish": _("Finish"), "cancel": _("Cancel")}

TRANSITIONS = {
    (ProjectStatus.PLANNED, "start"): ProjectStatus.RUNNING,
    (ProjectStatus.PLANNED, "cancel"): ProjectStatus.CANCELLED,
    (ProjectStatus.RUNNING, "finish"): ProjectStatus.FINISHED,
    (ProjectStatus.RUNNING, "cancel"): ProjectStatus.CANCELLED,
}


def actions_from(status: str) -> list[str]:
    """The actions open to a project in ``status``, in the order of ``ACTIONS``."""
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]
