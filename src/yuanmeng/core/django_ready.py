"""Imported by the fork server of ``core.batch_processes`` when it starts: Django is set up once there, so every
process forked from it starts ready to check rows."""

import django

django.setup()
