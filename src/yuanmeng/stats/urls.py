"""The statistics pages, mounted at /stats/: the dashboards, targets and yearly reports."""

urlpatterns = []
