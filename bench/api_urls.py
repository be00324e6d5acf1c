"""The product's URLs plus ``/bench/bare``: a JsonResponse through the same server and middleware, no database —
the ceiling each API figure of bench/bench_api.py is a ratio of. Bench only: never in the product's urls."""

from django.http import JsonResponse
from django.urls import path

from yuanmeng.urls import urlpatterns as product


def bare(request):
    return JsonResponse({"id": 1, "state": "submitted"})


urlpatterns = [path("bench/bare", bare), *product]
