from django.contrib.auth import views as auth_views
from django.urls import include, path

from yuanmeng.applications import views as application_views
from yuanmeng.audit import views as audit_views
from yuanmeng.jobs import views as job_views
from yuanmeng.orgs import views as org_views
from yuanmeng.payouts import lottery_pages, notice_pages
from yuanmeng.payouts import pages as payout_pages
from yuanmeng.people import signup_views
from yuanmeng.people import views as people_views
from yuanmeng.policies import views as policy_views
from yuanmeng.web import exports, views

urlpatterns = [
    path("stats/", include("yuanmeng.stats.urls")),
    path("training/", include("yuanmeng.training.urls")),
    path("training-orders/", include("yuanmeng.training_orders.urls")),
    path("surveys/", include("yuanmeng.surveys.urls")),
    path("projects/", include("yuanmeng.projects.urls")),
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", signup_views.sign_up, name="sign_up"),
    path("join/<str:token>/", signup_views.sign_up, name="join"),
    path("password-reset/", signup_views.password_reset, name="password_reset"),
    path("password-reset/code/", signup_views.password_reset_code, name="password_reset_code"),
    path("members/confirm/", signup_views.members_to_confirm, name="members_to_confirm"),
    path("members/<int:worker_id>/confirm/", signup_views.member_confirm, name="member_confirm"),
    path("members/<int:worker_id>/decline/", signup_views.member_decline, name="member_decline"),
    path("invitation/", signup_views.invitation, name="invitation"),
    path("me/", views.my_record, name="my_record"),
    path("me/messages/", views.my_messages, name="my_messages"),
    path("me/bank-account/", people_views.my_bank_account, name="my_bank_account"),
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
    path("policies/", policy_views.policy_list, name="policy_list"),
    path("policies/new/", policy_views.policy_edit, name="policy_add"),
    path("policies/<int:policy_id>/", policy_views.policy_detail, name="policy_detail"),
    path("policies/<int:policy_id>/edit/", policy_views.policy_edit, name="policy_edit"),
    path("policies/<int:policy_id>/<str:action>/", policy_views.policy_action, name="policy_action"),
    path("subsidy/", application_views.open_policies, name="open_policies"),
    path("subsidy/<int:policy_id>/apply/", application_views.apply, name="apply"),
    path("applications/", application_views.review_queue, name="review_queue"),
    path("applications/bulk/", application_views.review_bulk, name="review_bulk"),
    path("applications/<int:application_id>/", application_views.application_detail, name="application_detail"),
    path("applications/<int:application_id>/act/", application_views.application_act, name="application_act"),
    path("applications/<int:application_id>/resubmit/", application_views.resubmit, name="application_resubmit"),
    path("applications/<int:application_id>/diploma/", application_views.diploma, name="application_diploma"),
    path("applications/documents/<int:document_id>/", application_views.document_download,
         name="document_download"),
    path("rosters/", application_views.rosters, name="rosters"),
    path("payouts/", payout_pages.overview, name="payouts_overview"),
    path("payouts/plan/", payout_pages.plan, name="payout_plan"),
    path("payouts/rounds/<int:round_id>/", payout_pages.round_detail, name="round_detail"),
    path("payouts/rounds/<int:round_id>/release/", payout_pages.round_release, name="round_release"),
    path("payouts/lines/<int:line_id>/objection/", payout_pages.line_objection, name="line_objection"),
    path("payouts/batches/<int:batch_id>/", payout_pages.batch_detail, name="batch_detail"),
    path("payouts/batches/<int:batch_id>/approve/", payout_pages.batch_approve, name="batch_approve"),
    path("payouts/batches/<int:batch_id>/results/", payout_pages.batch_results, name="batch_results"),
    path("payouts/", include("yuanmeng.payouts.urls")),
    path("lottery/<str:code>/", lottery_pages.lottery_public, name="lottery_public"),
    path("lottery/<str:code>/data.json", lottery_pages.lottery_download, name="lottery_download"),
    path("notices/", notice_pages.notice_index, name="notice_index"),
    path("notices/<str:code>/", notice_pages.notice_public, name="notice_public"),
    path("imports/<slug:kind>/", job_views.import_upload, name="import_upload"),
    path("imports/<slug:kind>/template/", job_views.import_template, name="import_template"),
    path("tasks/", job_views.job_list, name="job_list"),
    path("tasks/<int:job_id>/", job_views.job_detail, name="job_detail"),
    path("tasks/<int:job_id>/download/", job_views.job_download, name="job_download"),
    path("tasks/<int:job_id>/rerun/", job_views.job_rerun, name="job_rerun"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/verify/", audit_views.audit_check, name="audit_verify"),
    path("exports/<slug:name>/", exports.export, name="export"),
]
