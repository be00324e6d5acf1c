from django import template

from yuanmeng.core.money import fen_to_yuan
from yuanmeng.policies.models import Level, PriorityGroup

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen shown as yuan: ``{{ policy.amount_college_fen|yuan }}`` → ``1,500.00``."""
    return fen_to_yuan(fen)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def level_label(level: str) -> str:
    return Level(level).label if level in Level.values else level


@register.filter
def amount_for(policy, level: str):
    return policy.amount_fen(level)


@register.filter
def group_label(group: str) -> str:
    return PriorityGroup(group).label if group in PriorityGroup.values else group
