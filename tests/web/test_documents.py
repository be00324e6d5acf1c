"""An uploaded document is kept and served as what its bytes say it is, whatever its uploader named it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yuanmeng.policies.models import DocumentKind

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf_attachment(tree, people, policy, login):
    disguised = SimpleUploadedFile("poly.html", PDF, "text/html")
    application = tree.apply(people.worker, policy, documents={DocumentKind.ENROLMENT_PROOF: disguised})
    document = application.documents.get()
    assert document.file.name.endswith(".pdf") and document.original_name == "poly.html"
    response = login(people.district).get(f"/applications/documents/{document.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="poly.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_png_without_an_extension_downloads_as_png(tree, people, policy, login):
    png = SimpleUploadedFile("扫描件", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "application/octet-stream")
    application = tree.apply(people.worker, policy, documents={DocumentKind.ENROLMENT_PROOF: png})
    document = application.documents.get()
    response = login(people.applicant).get(f"/applications/documents/{document.pk}/")
    assert response["Content-Type"] == "image/png" and document.file.name.endswith(".png")
    assert "attachment" in response["Content-Disposition"] and ".png" in response["Content-Disposition"]
