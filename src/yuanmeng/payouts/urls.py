from django.urls import path

from yuanmeng.payouts import views

urlpatterns = [
    path("batches/<int:batch_id>/file/<str:fmt>/", views.batch_file, name="batch_file"),
]
