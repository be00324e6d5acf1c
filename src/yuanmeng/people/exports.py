"""The worker list as a spreadsheet: the page's filters, personal numbers as the user may see them."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.core.exports import Column, ListExport, register
from yuanmeng.orgs.models import Organisation
from yuanmeng.people import selectors


def worker_columns(user) -> list[Column]:
    """Identity and bank numbers in full only where the user holds REVEAL_PII over the employer (or it is their
    own record); masked for every other role. Mobile numbers also in full for roles that contact workers."""
    def number(field):
        return lambda w: selectors.worker_numbers(w, user)[field]

    return [
        Column(_("Full name"), lambda w: w.name),
        Column(_("Document type"), lambda w: w.get_document_type_display(), 20),
        Column(_("Identity number"), number("id_number"), 22),
        Column(_("Mobile"), lambda w: selectors.worker_mobile(w, user)),
        Column(_("Employer"), lambda w: w.employer and w.employer.legal_name, 30),
        Column(_("Parent union"), lambda w: w.employer and w.employer.organisation.parent.name, 20),
        Column(_("Union member since"), lambda w: w.union_member_since and w.union_member_since.isoformat()),
        Column(_("Job category"), lambda w: w.get_job_category_display()),
        Column(_("Migrant worker"), lambda w: w.is_migrant_worker),
        Column(_("New employment form"), lambda w: w.is_new_employment_form),
        Column(_("Model worker"), lambda w: w.get_model_worker_level_display()),
        Column(_("May Day Labour Medal"), lambda w: w.get_labour_medal_level_display()),
        Column(_("Bank"), lambda w: w.bank_name), Column(_("Bank account"), number("bank_account"), 24),
    ]


def worker_rows(user, params):
    try:
        workers, _organisation = selectors.worker_list_filtered(user=user, params=params)
    except Organisation.DoesNotExist:
        raise Http404 from None
    return workers


register(ListExport(name="workers", title=gettext_lazy("Workers"), filename="workers", columns=worker_columns,
                    rows=worker_rows))
