"""Pages of this app, mounted under its prefix by web/urls.py."""

from django.urls import path

from yuanmeng.training import views

urlpatterns = [
    path("near/", views.places_near, name="training_near"),
    path("places/new/", views.place_edit, name="training_place_add"),
    path("places/<int:place_id>/", views.place_detail, name="training_place"),
    path("places/<int:place_id>/edit/", views.place_edit, name="training_place_edit"),
    path("courses/", views.course_list, name="training_courses"),
    path("courses/new/", views.course_edit, name="training_course_add"),
    path("courses/<int:course_id>/", views.course_detail, name="training_course"),
    path("courses/<int:course_id>/edit/", views.course_edit, name="training_course_edit"),
    path("courses/<int:course_id>/enrol/", views.course_enrol, name="training_enrol"),
    path("enrolments/<int:enrolment_id>/learning/", views.enrolment_learning, name="training_learning"),
    path("mine/", views.my_learning, name="training_mine"),
    path("manage/", views.manage, name="training_manage"),
]
