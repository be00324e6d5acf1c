"""Readable names for the action codes services write into the audit trail."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "organisation.create": _("Organisation added"),
    "enterprise.register": _("Enterprise registered"),
    "school.register": _("School registered"),
    "role.grant": _("Role given"),
    "role.revoke": _("Role taken away"),
    "user.create": _("Account created"),
    "user.create_superuser": _("Operator account created"),
    "worker.register": _("Worker registered"),
    "worker.update": _("Worker record changed"),
    "worker.account_create": _("Worker login created"),
    "api_token.issue": _("API token issued"),
    "keys.rotate": _("Encryption keys rotated"),
    "system.restore": _("Restored from a backup"),
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)
