"""The statistics pages, mounted at /stats/: the dashboards, targets and yearly reports."""

from django.urls import path

from yuanmeng.stats import report_views, target_views, views

urlpatterns = [
    path("", views.dashboard_home, name="dashboard_home"),
    path("<int:organisation_id>/", views.dashboard, name="dashboard"),
    path("<int:organisation_id>/export/<slug:table>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("<int:organisation_id>/refresh/", views.dashboard_refresh, name="dashboard_refresh"),
    path("report/", report_views.report_index, name="stats_report_index"),
    path("report/<int:organisation_id>/", report_views.report_page, name="stats_report"),
    path("report/<int:organisation_id>/pdf/", report_views.report_download, name="stats_report_pdf"),
    path("targets/", target_views.targets_index, name="stats_targets_index"),
    path("targets/<int:organisation_id>/", target_views.targets_page, name="stats_targets"),
    path("targets/<int:organisation_id>/new/", target_views.target_new, name="stats_target_new"),
    path("targets/target/<int:target_id>/", target_views.target_page, name="stats_target"),
    path("targets/target/<int:target_id>/shares.xlsx", target_views.target_shares_export,
         name="stats_target_shares_export"),
]
