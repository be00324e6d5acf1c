"""Real workers' documents are accepted: any region code that is or ever was one, residence permits of Hong Kong,
Macao and Taiwan residents, foreign permanent resident cards; each checked as the document it is, everywhere a
worker is registered, shown and exported."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.builders import id_number, workbook
from yuanmeng.applications.imports import GRADUATE_ROSTER
from yuanmeng.applications.models import RosterEntry
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.imports import run_import
from yuanmeng.core.validators import DocumentType, validate_id_number
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import WORKERS
from yuanmeng.people.models import Worker
from yuanmeng.people.services import worker_update

CORPUS = Path(__file__).parent.parent / "corpus" / "identity_numbers.tsv"
TIANHE_1975 = "440106197501010010"  # 天河区's code dates from 1985; its holder was born in 1975
HONG_KONG = "810000199001010019"
MACAO = "820000198507070024"
FOREIGN = "944410198605050073"  # 9, Guangdong (44), nationality 410, born 1986-05-05, serial 007: a man


def corpus() -> list[dict]:
    with open(CORPUS, encoding="utf-8") as data:
        return list(csv.DictReader((line for line in data if not line.startswith("#")), delimiter="\t"))


@pytest.mark.parametrize("case", corpus(), ids=lambda case: case["what it is"][:40])
def test_every_number_of_the_corpus_gets_its_answer(case):
    document_type = case["document type"] or None
    with translation.override("en"):
        if not case["expected"].startswith("error:"):
            assert validate_id_number(case["input"], document_type) == case["expected"]
            return
        with pytest.raises(ValidationError) as error:
            validate_id_number(case["input"], document_type)
        assert error.value.code == case["expected"].removeprefix("error:")
        assert error.value.messages == [case["message"]]


def test_the_corpus_covers_every_document_and_every_refusal():
    cases = corpus()
    assert {c["expected"] for c in cases if c["expected"].startswith("error:")} == {
        f"error:{code}" for code in ("checksum", "birth_date", "future", "region", "length", "format",
                                     "document_type")}
    accepted = [c["expected"] for c in cases if not c["expected"].startswith("error:")]
    assert {number[:6] for number in accepted} >= {"440106", "440118", "440117", "810000", "820000", "830000"}
    assert any(number.startswith("9") for number in accepted)


# ---- on the worker ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_worker_whose_region_code_is_younger_than_them_is_registered(tree):
    worker = tree.worker(id_number=TIANHE_1975)
    assert worker.document_type == DocumentType.RESIDENT_ID
    assert (worker.birth_date.isoformat(), worker.sex) == ("1975-01-01", "M")
    older = tree.worker(id_number=id_number(region="440118", birth="19680315"))
    assert older.birth_date.year == 1968


@pytest.mark.django_db
@pytest.mark.parametrize(("document_type", "number", "born", "sex"), [
    (DocumentType.HMT_PERMIT, HONG_KONG, "1990-01-01", "M"),
    (DocumentType.HMT_PERMIT, MACAO, "1985-07-07", "F"),
    (DocumentType.FOREIGN_PR, FOREIGN, "1986-05-05", "M"),
])
def test_sex_and_birth_date_are_read_from_every_document(tree, document_type, number, born, sex):
    worker = tree.worker(document_type=document_type, id_number=number)
    assert (worker.document_type, worker.id_number) == (document_type, number)
    assert (worker.birth_date.isoformat(), worker.sex) == (born, sex)
    assert worker.id_number_masked == number[:4] + "*" * 10 + number[-4:]


@pytest.mark.django_db
def test_a_number_of_another_document_is_refused_naming_the_number(tree):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        tree.worker(id_number=HONG_KONG)  # the resident identity card by default
    assert "Residence permit" in error.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as error:
        tree.worker(document_type=DocumentType.HMT_PERMIT, id_number=FOREIGN)
    assert "id_number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        tree.worker(document_type="passport", id_number=FOREIGN)
    assert list(error.value.message_dict) == ["document_type"]
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_changing_the_document_type_alone_must_fit_the_number_held(tree):
    worker = tree.worker(document_type=DocumentType.HMT_PERMIT, id_number=HONG_KONG)
    with pytest.raises(ValidationError) as error:
        worker_update(by=tree.root_user, worker=worker, document_type=DocumentType.RESIDENT_ID)
    assert list(error.value.message_dict) == ["document_type"]
    worker = worker_update(by=tree.root_user, worker=worker, document_type=DocumentType.FOREIGN_PR,
                           id_number=FOREIGN)
    assert (worker.document_type, worker.birth_date.isoformat()) == (DocumentType.FOREIGN_PR, "1986-05-05")


@pytest.mark.django_db
def test_one_number_is_one_person_whatever_the_document_and_its_spelling(tree):
    tree.worker(document_type=DocumentType.FOREIGN_PR, id_number=FOREIGN)
    with pytest.raises(ValidationError) as error:
        tree.worker(document_type=DocumentType.FOREIGN_PR, id_number=" " + FOREIGN.replace("4", "４") + " ")
    assert "id_number" in error.value.message_dict
    assert Worker.objects.get().id_number_index == blind_index(FOREIGN)


# ---- pages, API, export ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_registers_a_residence_permit_and_shows_the_document(tree, login):
    client = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    form = client.get("/workers/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="document_type"' in form and "港澳台居民居住证" in form
    data = {"name": "陈家豪", "document_type": "hmt_permit", "id_number": HONG_KONG, "mobile": "13900001234",
            "employer": tree.tianhe_firm.pk, "job_category": "production", "model_worker_level": "",
            "labour_medal_level": ""}
    response = client.post("/workers/new/", data)
    assert response.status_code == 302
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "证件类型" in detail and "港澳台居民居住证" in detail
    listing = client.get("/workers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "港澳台居民居住证" in listing
    data.update(id_number=MACAO, document_type="resident_id", mobile="13900001235")
    page = client.post("/workers/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "id_number" in page.context["form"].errors and Worker.objects.count() == 1


@pytest.mark.django_db
def test_the_api_takes_and_gives_the_document_type(tree, login):
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    payload = {"name": "金敏俊", "document_type": "foreign_pr", "id_number": FOREIGN, "mobile": "13900004321",
               "employer_id": tree.tianhe_firm.pk, "job_category": "production"}
    created = client.post("/api/workers", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["document_type"] == "foreign_pr" and created.json()["sex"] == "M"
    worker_id = created.json()["id"]
    refused = client.patch(f"/api/workers/{worker_id}", {"document_type": "resident_id"},
                           content_type="application/json")
    assert refused.status_code == 422 and "document_type" in refused.json()["errors"]
    default = {**payload, "id_number": TIANHE_1975, "mobile": "13900004322"}
    del default["document_type"]
    assert client.post("/api/workers", default, content_type="application/json").json()["document_type"] == \
        "resident_id"
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "document_type" in schema["WorkerIn"]["properties"] and "document_type" in schema["WorkerOut"]["required"]


@pytest.mark.django_db
def test_the_workers_export_has_the_document_type(tree, login):
    tree.worker(document_type=DocumentType.HMT_PERMIT, id_number=HONG_KONG)
    tree.worker(id_number=TIANHE_1975)
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    response = client.get("/exports/workers/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    documents = [row[rows[0].index("证件类型")] for row in rows[1:]]
    assert sorted(documents) == ["居民身份证", "港澳台居民居住证"]


# ---- import ------------------------------------------------------------------------------------------------------

HEADER = ["姓名", "证件类型", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别"]


@pytest.mark.django_db
def test_the_import_reads_the_document_type_column_by_any_of_its_names(tree):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    code = tree.tianhe_firm.credit_code
    rows = [["陈家豪", "港澳台居民居住证", HONG_KONG, "13900000001", code, "一线生产"],
            ["何嘉欣", "居住证", MACAO, "13900000002", code, "一线生产"],
            ["金敏俊", "永居证", FOREIGN, "13900000003", code, "一线生产"],
            ["李明", "", TIANHE_1975, "13900000004", code, "一线生产"],
            ["王芳", "Resident identity card", id_number(region="440118", birth="19700101"), "13900000005", code,
             "一线生产"]]
    report = run_import(WORKERS, by=officer, source=workbook(HEADER, rows))
    assert (report.created, report.errors) == (5, 0), report.first_errors
    documents = dict(Worker.objects.values_list("name", "document_type"))
    assert documents == {"陈家豪": "hmt_permit", "何嘉欣": "hmt_permit", "金敏俊": "foreign_pr",
                         "李明": "resident_id", "王芳": "resident_id"}
    english = ["name", "document type", "identity number", "mobile", "employer credit code", "job category"]
    again = run_import(WORKERS, by=officer, source=workbook(english, rows))
    assert (again.created, again.unchanged, again.errors) == (0, 5, 0)


@pytest.mark.django_db
def test_without_the_column_a_number_of_another_document_is_a_row_error_saying_what_to_write(tree):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    code = tree.tianhe_firm.credit_code
    header = [h for h in HEADER if h != "证件类型"]
    rows = [["李明", TIANHE_1975, "13900000004", code, "一线生产"],
            ["陈家豪", HONG_KONG, "13900000001", code, "一线生产"]]
    report = run_import(WORKERS, by=officer, source=workbook(header, rows))
    assert report.errors == 1 and Worker.objects.count() == 0
    (row, message), = report.first_errors
    assert row == 3 and "身份证号" in message and "港澳台居民居住证" in message
    bad_type = [["陈家豪", "护照", HONG_KONG, "13900000001", code, "一线生产"]]
    report = run_import(WORKERS, by=officer, source=workbook(HEADER, bad_type))
    assert report.errors == 1 and "证件类型" in report.first_errors[0][1]


@pytest.mark.django_db
def test_a_school_roster_knows_a_residence_permit_holder(tree):
    holder = tree.worker(document_type=DocumentType.HMT_PERMIT, id_number=HONG_KONG)
    school_staff = tree.staff(Role.SCHOOL_STAFF, tree.school)
    header = ["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"]
    rows = [["511617202606000001", HONG_KONG, holder.name, "专科", "机电", "2026-06-30"]]
    report = run_import(GRADUATE_ROSTER, by=school_staff, source=workbook(header, rows),
                        params={"school": tree.school_profile.pk, "file_name": "毕业名册.xlsx"})
    assert (report.created, report.errors) == (1, 0), report.first_errors
    assert RosterEntry.objects.get().id_number_index == holder.id_number_index


@pytest.mark.django_db
def test_the_admin_filters_workers_by_document(tree, login):
    tree.worker(name="陈家豪", document_type=DocumentType.HMT_PERMIT, id_number=HONG_KONG)
    tree.worker(name="李明", id_number=TIANHE_1975)
    tree.root_user.is_staff = True
    tree.root_user.save()
    page = login(tree.root_user).get("/admin/people/worker/", {"document_type__exact": "hmt_permit"})
    content = page.content.decode()
    assert page.status_code == 200 and "陈家豪" in content and "李明" not in content
    assert "?document_type__exact=foreign_pr" in content  # the filter's choices


@pytest.mark.django_db
def test_the_import_template_offers_the_document_type_column(tree, login):
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    response = client.get("/imports/workers/template/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, example = list(book.active.values)[:2]
    assert example[header.index("证件类型")] == "居民身份证"
