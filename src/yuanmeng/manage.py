"""The `yuanmeng` console script: Django's management commands under our own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yuanmeng", *sys.argv[1:]])


if __name__ == "__main__":
    main()
