"""`yuanmeng payout <subcommand> …`: payout work from the command line.

This file is only a registry. Each subcommand lives in its own module with

    HELP = "one line for --help"
    def add_arguments(parser) -> None        # its own arguments
    def run(options: dict, stdout) -> dict   # does the work through the services; returns a summary

Every subcommand has ``--as USERNAME`` (``options["as_user"]``) and ``--json``; the registry adds them
where the module does not. With ``--json``, a ``run`` that printed nothing has its summary printed as JSON
here. A service's refusal becomes a command error.
"""

import json
from importlib import import_module

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuanmeng.core.cli import refusal
from yuanmeng.core.errors import PermissionDenied

SUBCOMMANDS = {
    "file": "yuanmeng.payouts.cli_file",
    "plan": "yuanmeng.payouts.cli_plan",
    "results": "yuanmeng.payouts.cli_results",
}


def _modules() -> dict:
    return {name: import_module(path) for name, path in SUBCOMMANDS.items()}


class Command(BaseCommand):
    help = "Payout rounds and batches from the command line: " + ", ".join(SUBCOMMANDS) + "."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, module in _modules().items():
            sub = subparsers.add_parser(name, help=getattr(module, "HELP", None))
            module.add_arguments(sub)
            if "--as" not in sub._option_string_actions:
                sub.add_argument("--as", dest="as_user", metavar="USERNAME",
                                 help="the user who acts (default: the only superuser)")
            if "--json" not in sub._option_string_actions:
                sub.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, subcommand, **options):
        out = _Watched(self.stdout)
        try:
            summary = _modules()[subcommand].run(options, out)
        except ValidationError as exc:
            raise CommandError(refusal(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options.get("json") and not out.written:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))


class _Watched:
    """The command's stdout, noting whether the subcommand wrote to it."""

    def __init__(self, stream):
        self.stream, self.written = stream, False

    def write(self, *args, **kwargs):
        self.written = True
        return self.stream.write(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.stream, name)
