"""Moving many applications at once because of their payment lines: state, history and messages, set-based."""

from yuanmeng.core.sql import execute as _execute


def move_applications(*, source: str, source_params: list, from_state: str, to_state: str, action: str, by, now,
                      subject: str, reason_sql: str = "%s", reason_params: list | None = None,
                      body_sql: str = "%s", body_params: list | None = None) -> int:
    """Move the applications that ``source`` selects from ``from_state`` to ``to_state``.

    ``source`` is a FROM … WHERE clause over ``applications_application a`` joined to ``payouts_paymentline
    l`` (and whatever else it needs); ``reason_sql`` and ``body_sql`` are SQL expressions over those rows.
    Three statements: the history rows (with the state each left), the workers' messages, the state change.
    """
    where = f"{source} AND a.state = %s"
    params = [*source_params, from_state]
    _execute(f"""
        INSERT INTO applications_applicationevent (application_id, action, from_state, to_state, actor_id,
                                                  actor_label, role, reason, at)
        SELECT a.id, %s, a.state, %s, %s, %s, 'payout', {reason_sql}, %s {where}""",
             [action, to_state, getattr(by, "pk", None), str(by or "system"), *(reason_params or []), now, *params])
    _execute(f"""
        INSERT INTO notify_message (recipient_id, worker_id, mobile, subject, body, created_at, attempts, last_error)
        SELECT w.user_id, w.id, w.mobile, %s, {body_sql}, %s, 0, ''
        {where.replace(" WHERE ", " JOIN people_worker w ON w.id = a.worker_id WHERE ", 1)}""",
             [subject, *(body_params or []), now, *params])
    return _execute(f"""
        UPDATE applications_application SET state = %s, updated_at = %s, version = version + 1
        WHERE state = %s AND id IN (SELECT a.id {where})""", [to_state, now, from_state, *params])
