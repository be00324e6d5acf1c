"""``can_*`` checks: (allowed, reason), so a page can say why an action is not offered."""

from django.utils.translation import gettext as _

from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability

# Who decides on signed-up workers (decision 0010): whoever changes workers' records over the enterprise — its
# union, and the district reviewer and city administrator above it (a worker at an enterprise with no officer
# account must not wait unseen). The home card, the page, the API list and each decision use this one rule.
CONFIRMS_MEMBERS = Capability.CHANGE_WORKERS


def may_confirm_members(user) -> bool:
    """Whether the members-to-confirm card and page exist for this user (somewhere in their scope)."""
    return has_capability(user, CONFIRMS_MEMBERS)


def can_register_worker_at(user, enterprise) -> tuple[bool, str]:
    if has_capability(user, Capability.CHANGE_WORKERS, enterprise.organisation.path):
        return True, ""
    return False, _("You may register workers only at enterprises within your organisation.")


def can_change_worker(user, worker) -> tuple[bool, str]:
    if worker.employer_id is None:
        return (True, "") if user.is_superuser else (False, _("This worker is not linked to an enterprise yet."))
    if has_capability(user, Capability.CHANGE_WORKERS, worker.employer.organisation.path):
        return True, ""
    return False, _("Your role does not allow changing this worker's record.")


def can_reveal_pii(user, worker) -> bool:
    """Full identity and bank numbers: roles with REVEAL_PII over the employer, and the worker."""
    if worker.user_id is not None and worker.user_id == getattr(user, "pk", None):
        return True
    if worker.employer_id is None:
        return user.is_superuser
    return has_capability(user, Capability.REVEAL_PII, worker.employer.organisation.path)


def can_contact_worker(user, worker) -> bool:
    """Roles that contact workers (CONTACT_WORKERS over the employer, see orgs.roles) see mobile numbers in full."""
    return worker.employer_id is not None and has_capability(
        user, Capability.CONTACT_WORKERS, worker.employer.organisation.path)
