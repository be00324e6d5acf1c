"""The yearly report as a PDF: the printable page's content (``stats/report_body.html``) laid out by WeasyPrint with
``yuanmeng/report.css``, the same stylesheet the page prints with. Chinese text needs a CJK font known to fontconfig
(``make setup`` installs one; docs/operations.md)."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from yuanmeng.stats.report import YearlyReport

STYLESHEET = "yuanmeng/report.css"


def report_pdf(report: YearlyReport) -> bytes:
    html = render_to_string("stats/report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])


def report_filename(report: YearlyReport) -> str:
    return f"{report.organisation.name}-{report.year}.pdf"
