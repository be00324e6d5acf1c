from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.admin import ScopedAdmin
from yuanmeng.core.masking import mask_mobile
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.forms import WorkerForm
from yuanmeng.people.models import Worker
from yuanmeng.people.permissions import can_reveal_pii
from yuanmeng.people.selectors import worker_mobile
from yuanmeng.people.services import EDITABLE_FIELDS, worker_register, worker_update

MASKED = {"id_number": "id_number_masked", "bank_account": "bank_account_masked"}


@admin.register(Worker)
class WorkerAdmin(ScopedAdmin):
    change_capability = Capability.CHANGE_WORKERS
    form = WorkerForm
    list_display = ["name", "id_number_masked", "mobile", "employer", "job_category", "is_migrant_worker"]
    list_filter = ["document_type", "job_category", "is_migrant_worker", "is_new_employment_form",
                   "model_worker_level"]
    search_fields = ["name", "mobile"]
    list_select_related = ["employer", "employer__organisation"]

    def get_list_display(self, request):
        """The mobile column shows each number as this user may see it."""
        @admin.display(description=_("mobile number"))
        def mobile(worker):
            return worker_mobile(worker, request.user)

        return [mobile if name == "mobile" else name for name in self.list_display]

    @admin.display(description=_("mobile number"))
    def mobile_masked(self, obj):
        return mask_mobile(obj.mobile)

    def get_fields(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return list(EDITABLE_FIELDS)
        masked = {} if can_reveal_pii(request.user, obj) else MASKED
        if worker_mobile(obj, request.user) != obj.mobile:
            masked = {**masked, "mobile": "mobile_masked"}
        return [masked.get(f, f) for f in EDITABLE_FIELDS]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class FormForUser(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, by=request.user, **kw)

        return FormForUser

    def save_form(self, request, form, change):
        return form.instance  # untouched: the service applies the changes

    def save_model(self, request, obj, form, change):
        fields = form.changed_fields()
        if change:
            worker_update(by=request.user, worker=obj, **fields)
        else:
            vars(obj).update(vars(worker_register(by=request.user, **fields)))
