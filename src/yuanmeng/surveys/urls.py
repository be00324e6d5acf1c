"""Pages of this app, mounted under its prefix by web/urls.py."""

from django.urls import path

from yuanmeng.surveys import views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_edit, name="survey_add"),
    path("answer/", views.surveys_to_answer, name="surveys_to_answer"),
    path("<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("<int:survey_id>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:survey_id>/questions/", views.question_add, name="survey_question_add"),
    path("questions/<int:question_id>/texts/", views.survey_texts, name="survey_texts"),
    path("questions/<int:question_id>/<slug:action>/", views.question_action, name="survey_question_action"),
    path("<int:survey_id>/send/", views.survey_send, name="survey_send"),
    path("<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path("<int:survey_id>/results.xlsx", views.survey_export, name="survey_export"),
    path("<int:survey_id>/answer/", views.survey_answer, name="survey_answer"),
    path("responses/<int:response_id>/order/", views.survey_order, name="survey_order"),
]
