from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.jobs.forms import ImportForm
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.policies.forms import YuanField
from yuanmeng.policies.models import Policy, PolicyStatus


class BudgetForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("union"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("fund source"), choices=FundSource.choices)
    name = forms.CharField(label=_("name"), max_length=120, required=False)
    amount = YuanField(label=_("amount (yuan)"))

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.restrict(by, Capability.MANAGE_FUNDS).exclude(
            kind__in=(OrgKind.SCHOOL, OrgKind.PROVIDER))


class PlanForm(forms.Form):
    """The terms of a round: simulated on GET, committed on POST."""

    policy = forms.ModelChoiceField(label=_("policy"), queryset=Policy.objects.none())
    budget = forms.ModelChoiceField(label=_("budget"), queryset=Budget.objects.none())
    limit = YuanField(label=_("money for this round, city subsidy (yuan)"),
                      help_text=_("The city's money only: matching amounts come from the lower unions' own funds."))
    quota = forms.IntegerField(label=_("head-count quota (optional)"), required=False, min_value=1,
                               max_value=10_000_000)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = Policy.objects.restrict(by, Capability.MANAGE_FUNDS).filter(
            status=PolicyStatus.PUBLISHED, parent=None).select_related("organisation")
        self.fields["budget"].queryset = Budget.objects.restrict(by, Capability.MANAGE_FUNDS).filter(
            source=FundSource.SPECIAL).select_related("organisation")


class CommitForm(forms.Form):
    code = forms.CharField(label=_("round code"), max_length=40)
    max_lines_per_batch = forms.IntegerField(label=_("lines per batch"), min_value=1, max_value=100_000,
                                             initial=2200)


class ResultsForm(ImportForm):
    """The bank's file and what to do when some rows are wrong (all or nothing unless chosen otherwise)."""

    file = forms.FileField(label=_("bank result file (xlsx or csv)"),
                           help_text=_("Columns: 业务参考号, 状态, 失败原因, 金额 — matched by name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].required = False


class LotteryAnnounceForm(forms.Form):
    """A lottery round's terms and the public draw its seed comes from, fixed before the list is frozen."""

    code = forms.CharField(label=_("round code"), max_length=40)
    limit_fen = YuanField(label=_("money for this round (yuan)"))
    quota = forms.IntegerField(label=_("head-count quota (optional)"), required=False, min_value=1,
                               max_value=10_000_000)
    seed_source = forms.CharField(label=_("seed source: a named public draw"), max_length=200,
                                  help_text=_("For example: 中国福利彩票 双色球 第2026138期 开奖号码"))
    seed_date = forms.DateField(label=_("date of that draw"), widget=forms.DateInput(attrs={"type": "date"}))
    max_lines_per_batch = forms.IntegerField(label=_("lines per batch"), min_value=1, max_value=100_000,
                                             initial=2200)


class LotterySeedForm(forms.Form):
    values = forms.CharField(label=_("numbers of the announced draw"), max_length=300,
                             help_text=_("As published, e.g. 03 07 12 19 25 33 + 09 (parts apart by “+” or “/”)."))
