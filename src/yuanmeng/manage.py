"""The `yuanmeng` console script: Django's management commands under our own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
    from django.core.management import ManagementUtility

    from yuanmeng.core.cli import in_one_line

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            command = super().fetch_command(subcommand)
            command.execute = in_one_line(command.execute)
            return command

    Utility(["yuanmeng", *sys.argv[1:]]).execute()


if __name__ == "__main__":
    main()
