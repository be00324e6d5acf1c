"""Readable names for what the rollups key their rows by (the figures carry codes: a dimension and its value, a
state, a fund source), for the pages, the yearly report and its PDF."""

from django.utils.translation import gettext_lazy as _

from yuanmeng.applications.workflow import State
from yuanmeng.funds.models import FundSource
from yuanmeng.orgs.models import Industry, OrgKind
from yuanmeng.people.models import Sex
from yuanmeng.policies.models import Level, PriorityGroup, ProgrammeType
from yuanmeng.stats.rollups import DIPLOMA_TO_MONEY, NO, YES

DIMENSION_LABELS = {
    "level": _("Education level"),
    "programme_type": _("Programme type"),
    "priority_group": _("Priority group"),
    "industry": _("Industry"),
    "migrant": _("Migrant workers"),
    "new_employment_form": _("New employment form"),
    "sex": _("Sex"),
    "age_band": _("Age"),
}
AGE_BAND_LABELS = {"under_25": _("under 25"), "25_34": _("25–34"), "35_44": _("35–44"), "45_54": _("45–54"),
                   "55_plus": _("55 and over")}
YES_NO = {YES: _("yes"), NO: _("no")}
VALUE_LABELS = {
    "level": dict(Level.choices),
    "programme_type": dict(ProgrammeType.choices),
    "priority_group": dict(PriorityGroup.choices),
    "industry": dict(Industry.choices),
    "migrant": YES_NO,
    "new_employment_form": YES_NO,
    "sex": dict(Sex.choices),
    "age_band": AGE_BAND_LABELS,
}
NOT_GIVEN = _("not given")


def dimension_label(dimension: str) -> str:
    return str(DIMENSION_LABELS.get(dimension, dimension))


def value_label(dimension: str, value: str) -> str:
    """A dimension's value by name: an empty value (no priority group, no industry) is "not given"."""
    if not value:
        return str(NOT_GIVEN)
    return str(VALUE_LABELS.get(dimension, {}).get(value, value))


def state_label(state: str) -> str:
    if state == DIPLOMA_TO_MONEY:
        return str(_("From diploma to money"))
    return str(dict(State.choices).get(state, state))


def step_label(step: str) -> str:
    """A timed step of the durations: waiting at a state, or from the diploma to the money."""
    return state_label(step) if step == DIPLOMA_TO_MONEY else str(_("waiting at “%(state)s”") % {
        "state": state_label(step)})


# A chart by child shows the largest (the dashboard's and the report's); its table and export list every child.
CHART_CHILDREN = 15


def source_label(source: str) -> str:
    return str(dict(FundSource.choices).get(source, source))


def holder_label(kind: str) -> str:
    """The level of the unions holding budgets, by their kind (城市总工会, 区总工会…)."""
    return str(dict(OrgKind.choices).get(kind, kind))
