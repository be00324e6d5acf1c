"""How personal numbers look on screens and in exports for roles that may not see them."""


def mask_number(value: str, *, head: int = 4, tail: int = 4) -> str:
    """``440106199001011234`` → ``4401**********1234``; short values keep only the tail."""
    if not value:
        return ""
    if len(value) <= head + tail:
        keep = min(tail, max(len(value) - 2, 0))
        return "*" * (len(value) - keep) + value[len(value) - keep :]
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_mobile(value: str) -> str:
    """``13800138000`` → ``138****8000``: the network prefix and the last four digits, as China's apps show it."""
    return mask_number(value, head=3, tail=4)


def masked_name_sql(column: str) -> str:
    """SQL showing a name as a public list does: ``张三`` → ``张*``, ``张三丰`` → ``张*丰`` (the full name stays in the
    database; the lottery's frozen list and the public notice both show this form)."""
    return (f"CASE WHEN LENGTH({column}) <= 2 THEN SUBSTR({column}, 1, 1) || '*' "
            f"ELSE SUBSTR({column}, 1, 1) || '*' || SUBSTR({column}, LENGTH({column}), 1) END")
