"""Uploaded proofs: the type is decided by the file's first bytes, never by its name or the browser.

The file is stored and served under the extension of that type, whatever its uploader called it: a PDF uploaded
as ``poly.html`` is kept as ``….pdf`` and downloads as ``poly.pdf``, as an attachment of type application/pdf.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from yuanmeng.core.crypto import file_sha256
from yuanmeng.policies.models import DocumentKind

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
SUFFIXES = {content_type: suffix for _signature, content_type, suffix in SIGNATURES}


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    sha256: str


def sniff(head: bytes) -> str | None:
    for signature, content_type, _suffix in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def download_name(document) -> str:
    """The uploader's file name with the extension of what the file really is."""
    return (Path(document.original_name).stem or document.kind) + SUFFIXES.get(document.content_type, "")


def check_upload(upload: UploadedFile, field: str = "file") -> CheckedUpload:
    """Refuse what is too large or is not really a PDF, JPEG or PNG; hash what is kept."""
    limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError({field: [_("“%(name)s” is larger than %(limit)d MB.")
                                       % {"name": upload.name, "limit": limit_mb}]})
    if upload.size == 0:
        raise ValidationError({field: [_("“%(name)s” is empty.") % {"name": upload.name}]})
    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise ValidationError({field: [_("“%(name)s” is not a PDF, JPEG or PNG file (whatever its name says).")
                                       % {"name": upload.name}]})
    return CheckedUpload(upload, content_type, file_sha256(upload))


def request_too_large(request) -> bool:
    """Checked before Django parses a multipart body, so a 200 MB upload is refused without being read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > request_limit_bytes()


def request_limit_bytes() -> int:
    """The largest request body with documents: one file of each kind at most, and 1 MB for the rest."""
    return settings.MAX_UPLOAD_BYTES * len(DocumentKind) + 1024 * 1024
