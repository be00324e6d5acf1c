"""Serving stored files."""

from django.http import HttpResponse
from django.shortcuts import render


def missing_file_page(request, *, name: str) -> HttpResponse:
    """A clear 404 for a file whose record exists but whose stored copy is gone (deleted after its time, or the
    uploads folder not restored with the database)."""
    return render(request, "missing_file.html", {"name": name}, status=404)
