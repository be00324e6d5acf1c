"""This app's django-ninja router, mounted by the project's api.py."""

from ninja import Router

router = Router()
