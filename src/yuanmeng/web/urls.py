from django.contrib.auth import views as auth_views
from django.urls import path

from yuanmeng.audit import views as audit_views
from yuanmeng.orgs import views as org_views
from yuanmeng.people import views as people_views
from yuanmeng.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.my_record, name="my_record"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.token_issue, name="token_issue"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("workers/", people_views.worker_list, name="worker_list"),
    path("workers/new/", people_views.worker_edit, name="worker_add"),
    path("workers/<int:worker_id>/", people_views.worker_detail, name="worker_detail"),
    path("workers/<int:worker_id>/edit/", people_views.worker_edit, name="worker_edit"),
    path("organisations/", org_views.organisation_index, name="organisation_index"),
    path("organisations/<int:org_id>/", org_views.organisation_detail, name="organisation_detail"),
    path("enterprises/", org_views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", org_views.enterprise_add, name="enterprise_add"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/verify/", audit_views.audit_check, name="audit_verify"),
]
