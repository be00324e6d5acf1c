"""Roles that users hold in an organisation, and what each role may do there.

A role grants capabilities over the organisation's whole subtree. Capabilities (``core/access.py``, so that
the floors below orgs can name them) are the vocabulary of the scoping function (``orgs.scoping``) and of the
``can_*`` permission checks.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import Capability


class Role(models.TextChoices):
    ENTERPRISE_OFFICER = "enterprise_officer", _("Enterprise union officer")
    DISTRICT_REVIEWER = "district_reviewer", _("District reviewer")
    CITY_ADMIN = "city_admin", _("City administrator")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    SCHOOL_STAFF = "school_staff", _("School staff")
    VIEWER = "viewer", _("Province / national viewer")


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ENTERPRISE_OFFICER: frozenset({
        C.VIEW, C.CHANGE_WORKERS, C.CONFIRM_APPLICATIONS, C.CONTACT_WORKERS, C.ORDER_TRAINING,
    }),
    Role.DISTRICT_REVIEWER: frozenset({
        C.VIEW, C.CHANGE_WORKERS, C.REVIEW_APPLICATIONS, C.CONTACT_WORKERS, C.MANAGE_TRAINING,
        C.TAKE_TRAINING_ORDERS, C.MANAGE_SURVEYS, C.MANAGE_PROJECTS,
    }),
    Role.CITY_ADMIN: frozenset({
        C.VIEW, C.CHANGE_WORKERS, C.CHANGE_ORGS, C.MANAGE_MEMBERS, C.REVEAL_PII, C.CONTACT_WORKERS, C.VIEW_AUDIT,
        C.MANAGE_POLICIES, C.APPROVE_APPLICATIONS, C.MANAGE_FUNDS, C.VIEW_FUNDS, C.SET_TARGETS,
        C.MANAGE_TRAINING, C.TAKE_TRAINING_ORDERS, C.MANAGE_SURVEYS, C.MANAGE_PROJECTS,
    }),
    Role.FINANCE_OFFICER: frozenset({C.VIEW, C.REVEAL_PII, C.APPROVE_PAYOUTS, C.VIEW_FUNDS}),
    Role.AUDITOR: frozenset({C.VIEW, C.VIEW_AUDIT, C.VIEW_FUNDS}),
    Role.SCHOOL_STAFF: frozenset({C.VIEW, C.MANAGE_ROSTERS, C.MANAGE_TRAINING, C.MANAGE_PROJECTS}),
    Role.VIEWER: frozenset({C.VIEW, C.VIEW_FUNDS, C.SET_TARGETS, C.MANAGE_SURVEYS}),
}

# Mobile numbers in full (CONTACT_WORKERS) go to the roles that call workers about their records and
# applications: enterprise union officers, district reviewers and the city administrators (who also see
# identity numbers); finance officers see them with the bank numbers (REVEAL_PII) for failed payments.
# Auditors, school staff and province / national viewers, who do not contact workers, see them masked.

# The learning side: district and city unions run the training network, take enterprises' training orders, survey
# needs and register projects; an enterprise union orders training; a school or provider manages its own places,
# courses and projects. Province and national viewers set targets and may survey, but change no case.

# The organisation kinds at which each role makes sense.
ROLE_ORG_KINDS: dict[str, frozenset[str]] = {
    Role.ENTERPRISE_OFFICER: frozenset({"enterprise"}),
    Role.DISTRICT_REVIEWER: frozenset({"district", "industry", "street"}),
    Role.CITY_ADMIN: frozenset({"city"}),
    Role.FINANCE_OFFICER: frozenset({"city", "district"}),
    Role.AUDITOR: frozenset({"national", "province", "city", "district"}),
    Role.SCHOOL_STAFF: frozenset({"school", "provider"}),
    Role.VIEWER: frozenset({"national", "province", "city"}),
}
