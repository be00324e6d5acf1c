from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.applications.models import StudyMode
from yuanmeng.jobs.forms import ImportForm
from yuanmeng.orgs.models import School
from yuanmeng.policies.models import DocumentKind, Level, Policy, ProgrammeType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ApplicationForm(forms.Form):
    """Pre-registration of an enrolment; one upload field per document the policy requires."""

    level = forms.ChoiceField(label=_("education level"), choices=Level.choices)
    programme_type = forms.ChoiceField(label=_("programme type"), choices=ProgrammeType.choices)
    school = forms.ModelChoiceField(label=_("school"), queryset=School.objects.select_related("organisation")
                                    .order_by("organisation__name"))
    major = forms.CharField(label=_("major"), max_length=100)
    study_mode = forms.ChoiceField(label=_("study mode"), choices=StudyMode.choices)
    enrolment_date = forms.DateField(label=_("enrolment date"), widget=DATE)
    student_number = forms.CharField(label=_("student number"), max_length=40)

    def __init__(self, *args, policy: Policy, documents_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv, Level(lv).label) for lv in policy.levels]
        self.fields["programme_type"].choices = [(t, ProgrammeType(t).label) for t in policy.programme_types]
        for kind in policy.required_documents:
            if kind == DocumentKind.DIPLOMA:
                continue
            self.fields[f"document_{kind}"] = forms.FileField(
                label=DocumentKind(kind).label, required=documents_required,
                help_text=_("PDF, JPEG or PNG, up to 10 MB."),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def documents(self) -> dict:
        return {name.removeprefix("document_"): upload for name, upload in self.cleaned_data.items()
                if name.startswith("document_") and upload}

    def enrolment_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if not name.startswith("document_")}


class DiplomaForm(forms.Form):
    certificate_number = forms.CharField(label=_("diploma certificate number"), max_length=40)
    graduation_date = forms.DateField(label=_("graduation date"), widget=DATE)
    scan = forms.FileField(label=_("Diploma scan"), required=False, help_text=_("PDF, JPEG or PNG, up to 10 MB."),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, scan_required: bool, **kwargs):
        """``scan_required``: the policy asks for the scan and none is on file yet (a returned diploma keeps its
        scan), as ``application_submit_diploma`` checks."""
        super().__init__(*args, **kwargs)
        self.fields["scan"].required = scan_required


class RosterForm(ImportForm):
    """A school's roster, imported as a task (``import_submit``) for the school chosen here."""

    kind = forms.ChoiceField(label=_("roster"), choices=[
        ("graduate_roster", _("graduate roster (证书编号, 身份证号, 姓名, 层次, 专业, 毕业日期)")),
        ("enrolment_roster", _("enrolment roster (身份证号, 姓名, 学号, 专业, 层次, 入学日期)"))])
    school = forms.ModelChoiceField(label=_("school"), queryset=School.objects.none())
    field_order = ["kind", "school", "file", "mode"]

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        only = list(schools[:2])
        if len(only) == 1:
            self.fields["school"].initial = only[0].pk
        self.fields["file"].label = _("roster (xlsx, xls, ods or csv)")
