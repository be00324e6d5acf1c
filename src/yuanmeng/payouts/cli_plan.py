"""`yuanmeng payout plan --policy CODE --budget YUAN [--quota N] [--commit]`: simulate a round, or commit it."""

from django.core.management.base import CommandError

from yuanmeng.core.money import fen_to_yuan, yuan_to_fen
from yuanmeng.payouts import services
from yuanmeng.payouts.cli import acting_user
from yuanmeng.payouts.planning import AMOUNT_LABELS, shortfall, simulate
from yuanmeng.payouts.selectors import special_budget
from yuanmeng.policies.models import Policy

HELP = "simulate a payout round for a policy; --commit commits it"


def add_arguments(parser) -> None:
    parser.add_argument("--policy", required=True, help="the policy's code, e.g. GZ-2026")
    parser.add_argument("--budget", required=True, help="money for the round, in yuan (e.g. 6600000)")
    parser.add_argument("--quota", type=int, help="at most this many workers")
    parser.add_argument("--commit", action="store_true", help="commit the round (default: simulate only)")
    parser.add_argument("--code", help="the round's code when committing (default: <policy>-R<n>)")
    parser.add_argument("--batch-size", type=int, default=2200, help="lines per batch (default 2200)")


def _summary(simulation) -> dict:
    return {
        "candidates": simulation.candidates, "funded": simulation.funded, "funded_fen": simulation.funded_fen,
        "matching_fen": simulation.matching_fen, "total_fen": simulation.total_fen, "left_out": simulation.left_out,
        "no_bank_account": simulation.no_bank_account,
        "by_priority_group": simulation.by_group, "by_area": simulation.by_area, "by_level": simulation.by_level,
        "cutoff": simulation.cutoff,
    }


def run(options, stdout) -> dict:
    policy = Policy.objects.select_related("organisation").filter(code=options["policy"]).first()
    if policy is None:
        raise CommandError(f"no policy with code {options['policy']}")
    limit_fen = yuan_to_fen(options["budget"])
    plan = services.plan_input(policy, limit_fen, options["quota"])
    result = {"policy": policy.code, "limit_fen": limit_fen, "quota": options["quota"],
              "available_fen": plan.available_fen, "warning": shortfall(plan), **_summary(simulate(plan))}
    if not options["json"]:
        _write_plan(result, stdout)
    if options["commit"]:
        budget = special_budget(policy)
        if budget is None:
            raise CommandError(f"{policy.organisation} has no special-fund budget for {policy.year}")
        code = options["code"] or f"{policy.code}-R{policy.rounds.count() + 1}"
        round_ = services.round_commit(by=acting_user(options["as_user"]), policy=policy, budget=budget,
                                       limit_fen=limit_fen, quota=options["quota"], code=code,
                                       max_lines_per_batch=options["batch_size"])
        result["committed"] = {"round": round_.code, "lines": round_.funded_count, "total_fen": round_.total_fen,
                               "batches": [f"{round_.code}-{b.number}" for b in round_.batches.all()]}
    if not options["json"] and "committed" in result:
        committed = result["committed"]
        stdout.write(f"committed {committed['round']}: batches {', '.join(committed['batches'])}")
    return result


def _money(row: dict) -> str:
    """City, matching and total, named as on the plan page (planning.AMOUNT_LABELS)."""
    return ", ".join(f"{AMOUNT_LABELS[name]} {fen_to_yuan(row[name])} yuan" for name in AMOUNT_LABELS)


def _write_plan(result: dict, stdout) -> None:
    """The simulation, then the money left in the special fund, then the warning when the round asks for more
    (before any commit, which the same words would refuse)."""
    stdout.write(f"{result['policy']}: {result['candidates']} waiting, {result['funded']} funded, "
                 f"{result['left_out']} left out, {result['no_bank_account']} without a bank account")
    stdout.write(f"  {_money({**result, 'city_fen': result['funded_fen']})}")
    for row in result["by_priority_group"]:
        stdout.write(f"  {row['key'] or '(no group)':<22} {row['funded']:>8} / {row['applicants']:<8} "
                     f"{_money({**row, 'city_fen': row['funded_fen']})}")
    available = "no special fund" if result["available_fen"] is None else f"{fen_to_yuan(result['available_fen'])} yuan"
    stdout.write(f"special fund available: {available}")
    if result["warning"]:
        stdout.write(f"warning: {result['warning']}")
