"""Each role sees only its own menus, and another role's page answers 404 (issue 11): every page of
``web/urls.py`` that takes no id, asked by every role (pages with an id: tests/api/test_access_matrix.py).

A new page without an id fails ``test_every_page_is_in_the_table`` until PAGES gives its answers."""

import re

import pytest
from django.urls import URLResolver, get_resolver, reverse

from yuanmeng.orgs.roles import Role
from yuanmeng.web.context_processors import NAVIGATION

pytestmark = pytest.mark.django_db

ROLES = ("enterprise", "district", "city", "finance", "auditor", "school", "viewer", "worker")
#                                   ent dis city fin aud sch view wrk
PAGES = {
    "home":                         "200 200 200 200 200 200 200 200",
    "my_record":                    "404 404 404 404 404 404 404 200",
    "my_messages":                  "404 404 404 404 404 404 404 200",
    "my_bank_account":              "404 404 404 404 404 404 404 200",
    "open_policies":                "404 404 404 404 404 404 404 200",
    "account":                      "200 200 200 200 200 200 200 404",
    "worker_list":                  "200 200 200 200 200 404 200 404",
    "worker_add":                   "200 200 200 404 404 404 404 404",
    "organisation_index":           "302 302 302 302 302 302 302 404",
    "enterprise_list":              "200 200 200 200 200 404 200 404",
    "enterprise_add":               "404 404 200 404 404 404 404 404",
    "policy_list":                  "200 200 200 200 200 404 200 404",
    "policy_add":                   "404 404 200 404 404 404 404 404",
    "review_queue":                 "200 200 200 200 200 200 200 404",
    "rosters":                      "404 404 404 404 404 200 404 404",
    "payouts_overview":             "404 404 200 200 200 404 200 404",
    "payout_plan":                  "404 404 200 404 404 404 404 404",
    "dashboard_home":               "302 302 302 302 302 404 302 404",
    "stats_targets_index":          "302 302 302 302 302 302 302 404",
    "stats_report_index":           "302 302 302 302 302 302 302 404",
    "batch_list":                   "404 404 200 200 200 404 200 404",
    "bank_results_template":        "404 404 404 200 404 404 404 404",
    "job_list":                     "200 200 200 200 200 200 200 404",
    "audit_log":                    "404 404 200 404 200 404 404 404",
    "audit_verify":                 "404 404 200 404 200 404 404 404",
    "members_to_confirm":           "200 200 200 404 404 404 404 404",
    "invitation":                   "200 404 404 404 404 404 404 404",
    "training_order_list":          "200 200 200 404 404 404 404 404",
    "training_order_new":           "200 404 404 404 404 404 404 404",
    "teacher_list":                 "404 200 200 404 404 200 404 404",
    "training_report":              "200 200 200 200 200 404 200 404",
    "training_near":                "404 404 404 404 404 404 404 200",
    "training_courses":             "200 200 200 200 200 200 200 200",
    "training_mine":                "404 404 404 404 404 404 404 200",
    "training_manage":              "404 200 200 404 404 200 404 404",
    "training_place_add":           "404 200 200 404 404 200 404 404",
    "training_course_add":          "404 200 200 404 404 200 404 404",
    "survey_list":                  "404 200 200 404 404 404 200 404",
    "survey_add":                   "404 200 200 404 404 404 200 404",
    "surveys_to_answer":            "200 404 404 404 404 404 404 200",
    "project_list":                 "200 200 200 200 200 200 200 404",
    "project_add":                  "404 200 200 404 404 200 404 404",
}
NOT_PAGES = {  # routes without an id that are no page of a role: log-in and out, language, posts, public pages
    "login", "logout", "set_language", "token_issue", "review_bulk", "notice_index", "sign_up", "password_reset",
    "password_reset_code"}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def test_every_page_is_in_the_table():
    pages = {name for route, name in _routes(get_resolver().url_patterns)
             if "<" not in route and not route.startswith(("api", "admin"))}
    assert pages - NOT_PAGES - set(PAGES) == set(), "add these pages to PAGES in tests/web/test_menus.py"


@pytest.fixture
def users(tree, people):
    return {"enterprise": people.enterprise, "district": people.district, "city": people.city,
            "finance": tree.staff(Role.FINANCE_OFFICER, tree.city), "auditor": people.auditor,
            "school": people.school, "viewer": tree.staff(Role.VIEWER, tree.province), "worker": people.applicant}


def test_each_role_reaches_its_pages_and_gets_404_on_the_others(client, login, users):
    wrong = []
    for role in ROLES:
        login(users[role])
        for name, answers in PAGES.items():
            expected = answers.split()[ROLES.index(role)]
            status = client.get(reverse(name)).status_code
            if str(status) != expected:
                wrong.append(f"{name} as {role}: {status}, table says {expected}")
    assert wrong == [], "\n".join(wrong)


def test_the_menu_offers_exactly_the_pages_a_role_may_open(client, login, users):
    menu_pages = {name for _label, name, _visible in NAVIGATION if name != "admin:index"}
    for role in ROLES:
        login(users[role])
        html = client.get("/").content.decode()
        offered = {name for name in menu_pages if re.search(f'<a[^>]+href="{re.escape(reverse(name))}"', html)
                   and f'href="{reverse(name)}"' in html.split("</nav>")[0]}
        opens = {name for name in menu_pages if PAGES[name].split()[ROLES.index(role)] != "404"}
        assert offered == opens, role
