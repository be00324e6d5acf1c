"""A survey's results as charts and as a workbook: the counts of every option, then every free-text answer."""

from itertools import chain

from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.core.exports import Column, xlsx_response
from yuanmeng.surveys import selectors
from yuanmeng.surveys.models import QuestionKind


def chart(result: selectors.QuestionResult) -> dict:
    """The data ``charts.js`` draws: one bar per option (or scale value), its count."""
    return {"id": f"chart-q{result.question.pk}-data", "data": {
        "title": result.question.text, "categories": [o.label for o in result.options],
        "series": [{"name": _("Answers"), "data": [o.count for o in result.options]}], "unit": ""}}


def _rows(survey):
    results = selectors.survey_results(survey)
    counts = ((n, r.question.text, r.question.get_kind_display(), o.label, o.count, o.percent, "")
              for n, r in enumerate(results, start=1) for o in r.options)
    texts = ((n, r.question.text, r.question.get_kind_display(), "", None, None, answer["text"])
             for n, r in enumerate(results, start=1) if r.question.kind == QuestionKind.TEXT
             for answer in selectors.text_answers(r.question).iterator(chunk_size=2000))
    return chain(counts, texts)


def results_response(survey):
    columns = [Column(_("No."), lambda r: r[0], 6), Column(_("Question"), lambda r: r[1], 30),
               Column(_("Kind"), lambda r: r[2], 10), Column(_("Option"), lambda r: r[3], 24),
               Column(_("Answers"), lambda r: r[4], 10), Column(_("Percent"), lambda r: r[5], 10),
               Column(_("Free-text answer"), lambda r: r[6], 60)]
    filename = f"survey-{survey.pk}-{timezone.localdate().isoformat()}.xlsx"
    return xlsx_response(filename=filename, sheet_name=_("Survey results"), columns=columns, rows=_rows(survey))
