import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.exports import param_choice, param_int
from yuanmeng.core.text import clean_search
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import scope_paths
from yuanmeng.people.models import Worker
from yuanmeng.people.selectors import workers_named
from yuanmeng.training.models import Place
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OrderForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("enterprise union"), queryset=Organisation.objects.none())
    topic = forms.CharField(label=_("topic"), max_length=200)
    skill_category = forms.ChoiceField(label=_("skill category"), choices=SkillCategory.choices)
    head_count = forms.IntegerField(label=_("head-count"), min_value=1, max_value=10_000)
    place = forms.ModelChoiceField(label=_("preferred training place"), queryset=Place.objects.none(), required=False)
    preferred_place = forms.CharField(label=_("or another place"), max_length=200, required=False)
    preferred_from = forms.DateField(label=_("preferred from"), required=False, widget=DATE)
    preferred_to = forms.DateField(label=_("preferred until"), required=False, widget=DATE)
    notes = forms.CharField(label=_("notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = Organisation.objects.restrict(by, Capability.ORDER_TRAINING).filter(kind=OrgKind.ENTERPRISE)
        self.fields["organisation"].queryset = enterprises
        only = list(enterprises[:2])
        if len(only) == 1:
            self.fields["organisation"].initial = only[0]
            self.fields["place"].queryset = selectors.places_for_order(only[0])


class TeacherForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("kept by"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("name"), max_length=50)
    title = forms.CharField(label=_("professional title"), max_length=50, required=False)
    specialities = forms.MultipleChoiceField(label=_("specialities"), choices=SkillCategory.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    school = forms.ModelChoiceField(label=_("school"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        keepers = Organisation.objects.restrict(by, Capability.MANAGE_TRAINING).exclude(kind=OrgKind.ENTERPRISE)
        self.fields["organisation"].queryset = keepers.filter(depth__lte=4) | keepers.filter(
            kind__in=(OrgKind.SCHOOL, OrgKind.PROVIDER))
        self.fields["school"].queryset = selectors.schools_for_keepers(scope_paths(by, Capability.MANAGE_TRAINING))


class AssignForm(forms.Form):
    school = forms.ModelChoiceField(label=_("partner school"), queryset=Organisation.objects.none(), required=False)
    teachers = forms.ModelMultipleChoiceField(label=_("teachers"), queryset=Organisation.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = selectors.schools_for_order(order)
        self.fields["teachers"].queryset = selectors.teachers_for_order(order, schools=self.fields["school"].queryset)


class SessionForm(forms.Form):
    teacher = forms.ModelChoiceField(label=_("teacher"), queryset=Organisation.objects.none())
    date = forms.DateField(label=_("date"), widget=DATE)
    starts_at = forms.TimeField(label=_("starts at"), widget=TIME)
    ends_at = forms.TimeField(label=_("ends at"), widget=TIME)
    place = forms.ModelChoiceField(label=_("training place"), queryset=Place.objects.none(), required=False)
    venue = forms.CharField(label=_("or an address"), max_length=200, required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = order.teachers.order_by("name")
        self.fields["place"].queryset = selectors.places_for_order(order.organisation, order.school_id)
        self.fields["place"].initial = order.place_id
        self.fields["venue"].initial = order.preferred_place


PICKER_SIZE = 50  # workers offered at once to put on an order: an enterprise may have thousands


class ParticipantsForm(forms.Form):
    """Workers of the ordering enterprise not on the order yet; the page offers ``PICKER_SIZE`` of them at a time,
    those whose name starts with ``search`` (a posted form takes any of them)."""

    workers = forms.ModelMultipleChoiceField(label=_("workers"), queryset=Worker.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, order, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        candidates = (Worker.objects.filter(employer__organisation=order.organisation)
                      .exclude(training_participations__order=order).order_by("name", "id"))
        self.more = False  # more workers than those offered: search by name
        if not self.is_bound:
            term = clean_search(search)
            found = candidates.filter(pk__in=workers_named(term).values("pk")) if term else candidates
            offered = list(found.values_list("pk", flat=True)[:PICKER_SIZE + 1])
            self.more = len(offered) > PICKER_SIZE
            candidates = Worker.objects.filter(pk__in=offered[:PICKER_SIZE])
        self.fields["workers"].queryset = candidates.order_by("name", "id")


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(label=_("spreadsheet (身份证号, 姓名)"))


def report_params(user, params) -> tuple[Organisation | None, str, datetime.date, datetime.date]:
    """The report's filters from a query string: organisation, grouping, period (default: the last twelve months)."""
    today = timezone.localdate()
    organisation = selectors.report_organisation(user, param_int(params, "organisation"))
    group_by = param_choice(params, "group_by", list(selectors.GROUPINGS)) or "district"
    return organisation, group_by, _day(params.get("since")) or default_since(today), _day(params.get("until")) or today


def default_since(today: datetime.date) -> datetime.date:
    """The report's default period: the twelve months up to today."""
    return today - datetime.timedelta(days=365)


def _day(text) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
