"""The projects' pages run a pinned number of queries, with few rows and with many (no query per row)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from yuanmeng.orgs.roles import Role
from yuanmeng.projects.models import ProjectKind
from yuanmeng.projects.services import project_create, project_participants_add

PAGES = [  # (url, queries)
    ("/projects/", 4),
    ("/projects/{project}/", 6),
    ("/projects/{project}/edit/", 5),
    ("/projects/new/", 3),
]


def _project(tree, by, n):
    return project_create(by=by, lead=tree.tianhe, name=f"项目{n}", kind=ProjectKind.SKILLS,
                          starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 9, 1),
                          partners=[tree.school, tree.tianhe_firm.organisation])


def _counts(client, urls) -> list[int]:
    found = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        found.append(len(captured))
    return found


def test_pages_run_a_pinned_number_of_queries(client, login, tree):
    district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    project = _project(tree, district, 0)
    project_participants_add(by=district, project=project, workers=[tree.worker()])
    login(district)
    urls = [url.format(project=project.pk) for url, _n in PAGES]
    few = _counts(client, urls)
    for n in range(1, 9):
        _project(tree, district, n)
    project_participants_add(by=district, project=project, workers=[tree.worker() for _n in range(8)])
    many = _counts(client, urls)
    assert few == many == [n for _url, n in PAGES]
