"""The project's routes plus the payout pages' (until web/urls.py includes them)."""

from django.urls import include, path

from yuanmeng.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("payouts/", include("yuanmeng.payouts.urls")), *project_urlpatterns]
