"""Pages of this app, mounted under its prefix by web/urls.py."""

from django.urls import path

from yuanmeng.training_orders import views

urlpatterns = [
    path("", views.order_list, name="training_order_list"),
    path("new/", views.order_new, name="training_order_new"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("teachers/<int:teacher_id>/", views.teacher_edit, name="teacher_edit"),
    path("report/", views.training_report, name="training_report"),
    path("sessions/<int:session_id>/", views.session_attendance, name="training_session_attendance"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="training_session_cancel"),
    path("<int:order_id>/", views.order_detail, name="training_order_detail"),
    path("<int:order_id>/assign/", views.order_assign, name="training_order_assign"),
    path("<int:order_id>/sessions/", views.session_add, name="training_session_add"),
    path("<int:order_id>/participants/", views.participants_add, name="training_participants_add"),
    path("participants/<int:participant_id>/remove/", views.participant_remove,
         name="training_participant_remove"),
    path("<int:order_id>/<str:action>/", views.order_action, name="training_order_action"),
]
