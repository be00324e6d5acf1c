from django.urls import path

from yuanmeng.payouts import lottery_pages, pages, views

urlpatterns = [
    path("batches/", pages.batch_list, name="batch_list"),
    path("batches/<int:batch_id>/file/<str:fmt>/", views.batch_file, name="batch_file"),
    path("results/template/", pages.bank_results_template, name="bank_results_template"),
    path("lottery/new/<int:policy_id>/", lottery_pages.lottery_announce, name="lottery_announce"),
    path("lottery/<int:draw_id>/", lottery_pages.lottery_detail, name="lottery_detail"),
    path("lottery/<int:draw_id>/<str:action>/", lottery_pages.lottery_action, name="lottery_action"),
]
