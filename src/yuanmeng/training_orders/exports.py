"""Training orders and the training report as spreadsheets, with their pages' filters."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.exports import Column, ListExport, param_choice, register
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import selectors
from yuanmeng.training_orders.forms import report_params
from yuanmeng.training_orders.workflow import State

ORDER_COLUMNS = [
    Column(_("Number"), lambda o: o.pk, 8), Column(_("Enterprise union"), lambda o: o.organisation.name, 28),
    Column(_("Topic"), lambda o: o.topic, 30), Column(_("Skill category"), lambda o: o.get_skill_category_display()),
    Column(_("Head-count"), lambda o: o.head_count, 10), Column(_("State"), lambda o: o.get_state_display()),
    Column(_("Partner school"), lambda o: o.school.name if o.school else "", 24),
    Column(_("Participants trained"), lambda o: o.participant_count),
    Column(_("Learning hours"), lambda o: o.hours_total),
    Column(_("Requested on"), lambda o: o.created_at.date().isoformat()),
]


def order_rows(user, params):
    return selectors.order_list(user=user, state=param_choice(params, "state", State),
                                skill_category=param_choice(params, "skill_category", SkillCategory))


def report_rows(user, params):
    organisation, group_by, since, until = report_params(user, params)
    if organisation is None:
        raise Http404
    report = selectors.training_report(user=user, organisation=organisation, group_by=group_by, since=since,
                                       until=until)
    return [*report.rows, report.total]


REPORT_COLUMNS = [
    Column(_("Group"), lambda r: r.label, 28), Column(_("Sessions held"), lambda r: r.sessions),
    Column(_("Workers trained"), lambda r: r.workers), Column(_("Learning hours"), lambda r: r.hours),
]

register(ListExport(name="training_orders", title=_("Training orders"), filename="training-orders",
                    columns=lambda user: ORDER_COLUMNS, rows=order_rows))
register(ListExport(name="training_report", title=_("Training report"), filename="training-report",
                    columns=lambda user: REPORT_COLUMNS, rows=report_rows))
