from django.urls import path

from yuanmeng.payouts import pages, views

urlpatterns = [
    path("batches/<int:batch_id>/file/<str:fmt>/", views.batch_file, name="batch_file"),
    path("results/template/", pages.bank_results_template, name="bank_results_template"),
]
