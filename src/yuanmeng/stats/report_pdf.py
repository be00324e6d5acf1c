"""The yearly report as a PDF: the printable page's content (``stats/report_body.html``) laid out by WeasyPrint with
``yuanmeng/report.css``, the same stylesheet the page prints with. Chinese text needs a CJK font known to fontconfig
(``make setup`` installs one; docs/operations.md). WeasyPrint (and the pango it loads) is imported only when a PDF
is made: the application starts, and serves everything else, on a machine without pango."""

from django.contrib.staticfiles import finders
from django.db import transaction
from django.template.loader import render_to_string

from yuanmeng.audit.services import audit_record
from yuanmeng.stats.report import YearlyReport, report_assemble, report_year

STYLESHEET = "yuanmeng/report.css"


def report_pdf(report: YearlyReport) -> bytes:
    from weasyprint import CSS, HTML  # here, not at import: it loads pango (see the module's docstring)

    html = render_to_string("stats/report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])


def report_filename(report: YearlyReport) -> str:
    return f"{report.organisation.name}-{report.year}.pdf"


def report_generate(*, by, organisation_id: int, year) -> tuple[YearlyReport, bytes]:
    """The yearly report's PDF as ``by`` may read it (404 outside their subtree; the year checked by
    ``report_year``), recorded in the audit trail like every file of figures that leaves the application: who, which
    organisation and year, and whether it holds the money."""
    report = report_assemble(user=by, organisation_id=organisation_id, year=report_year(year))
    pdf = report_pdf(report)
    with transaction.atomic():
        audit_record(actor=by, action="stats.report", obj=report.organisation, organisation=report.organisation,
                     after={"year": report.year, "money": report.money is not None,
                            "as_of": report.as_of.isoformat() if report.as_of else None})
    return report, pdf
