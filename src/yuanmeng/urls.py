from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.forms import AdminLoginForm
from yuanmeng.api import api

admin.site.site_header = _("Yuanmeng administration")
admin.site.site_title = _("Yuanmeng")
admin.site.index_title = _("Records in your scope")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("yuanmeng.web.urls")),
]
