from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.training import selectors
from yuanmeng.training.models import CourseLevel, CourseMode, CourseStatus, LearningVerb, Place, PlaceType
from yuanmeng.training.services import COURSE_FIELDS, PLACE_FIELDS
from yuanmeng.training.skills import SkillCategory


class NearbyForm(forms.Form):
    """The point a worker searches around; the ranges are checked again by the service's rules of coordinates."""

    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90,
                                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180,
                                 widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    minutes = forms.TypedChoiceField(label=_("within"), coerce=int, initial=60, choices=[
        (30, _("30 minutes")), (60, _("one hour")), (90, _("an hour and a half"))])
    place_type = forms.ChoiceField(label=_("type"), required=False,
                                   choices=[("", _("All types")), *PlaceType.choices])


def _managed_organisations(by):
    return Organisation.objects.restrict(by, Capability.MANAGE_TRAINING).order_by("depth", "name")


class PlaceForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("name"), max_length=120)
    place_type = forms.ChoiceField(label=_("type"), choices=PlaceType.choices)
    address = forms.CharField(label=_("address"), max_length=200)
    latitude = forms.FloatField(label=_("latitude"), help_text=_("WGS84 degrees, e.g. 22.5431"),
                                widget=forms.NumberInput(attrs={"step": "any"}))
    longitude = forms.FloatField(label=_("longitude"), help_text=_("WGS84 degrees, e.g. 114.0579"),
                                 widget=forms.NumberInput(attrs={"step": "any"}))
    opening_hours = forms.CharField(label=_("opening hours"), max_length=120, required=False)
    contact_name = forms.CharField(label=_("contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("open"), required=False, initial=True)

    def __init__(self, *args, by, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        if place is None:
            self.fields["owner"].queryset = _managed_organisations(by)
        else:
            del self.fields["owner"]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PLACE_FIELDS}


class CourseForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("skill category"), choices=SkillCategory.choices)
    mode = forms.ChoiceField(label=_("mode"), choices=CourseMode.choices)
    level = forms.ChoiceField(label=_("level"), choices=CourseLevel.choices)
    hours = forms.DecimalField(label=_("learning hours"), min_value=0.1, max_value=2000, decimal_places=1)
    place = forms.ModelChoiceField(label=_("place"), required=False, queryset=Place.objects.none(),
                                   help_text=_("Where an offline course is held."))
    starts_at = forms.DateTimeField(label=_("starts"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("ends"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    schedule = forms.CharField(label=_("schedule"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1, max_value=100_000, required=False,
                                  help_text=_("Empty: no limit."))
    video_url = forms.URLField(label=_("video link (on the provider's own site)"), max_length=300, required=False,
                               assume_scheme="https")
    status = forms.ChoiceField(label=_("status"), choices=CourseStatus.choices)

    def __init__(self, *args, by, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = selectors.places_to_use(by)
        if course is None:
            self.fields["provider"].queryset = _managed_organisations(by)
        else:
            del self.fields["provider"]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in COURSE_FIELDS}


class LearningForm(forms.Form):
    verb = forms.ChoiceField(label=_("what"), choices=LearningVerb.choices)
    minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=24 * 60, required=False)
