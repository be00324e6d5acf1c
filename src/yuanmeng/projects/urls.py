"""Pages of this app, mounted under its prefix by web/urls.py."""

from django.urls import path

from yuanmeng.projects import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_edit, name="project_add"),
    path("<int:project_id>/", views.project_detail, name="project_detail"),
    path("<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("<int:project_id>/participants/", views.project_participants_add, name="project_participants_add"),
    path("participants/<int:participant_id>/remove/", views.project_participant_remove,
         name="project_participant_remove"),
    path("<int:project_id>/<slug:action>/", views.project_action, name="project_action"),
]
