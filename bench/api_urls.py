"""The product's URLs plus the references bench/bench_api.py measures against, on the same server and middleware.
Bench only: never in the product's urls.

- ``/bench/bare``: a JsonResponse without the database, the ceiling each API figure is a ratio of;
- ``/bench/signed-in``: a constant answer through ninja behind the product's own authentication (a token or a
  session: ``yuanmeng.api.api.auth``), the floor of any API call that knows its caller."""

from django.http import JsonResponse
from django.urls import path
from ninja import NinjaAPI

from yuanmeng.api import api as product_api
from yuanmeng.urls import urlpatterns as product

signed_in = NinjaAPI(auth=product_api.auth, urls_namespace="bench", docs_url=None, openapi_url=None)


def bare(request):
    return JsonResponse({"id": 1, "state": "submitted"})


@signed_in.get("/signed-in")
def signed_in_answer(request):
    return {"id": 1, "state": "submitted"}


urlpatterns = [path("bench/bare", bare), path("bench/", signed_in.urls), *product]
