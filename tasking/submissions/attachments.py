"""Partner information's attachments: each checked before anything is written (at most
NIM_SUBMISSION_ATTACHMENTS_MAX files of at most NIM_SUBMISSION_ATTACHMENT_MAX_MB each, of an
allowed extension whose content carries that kind's signature: the browser's content type is never
trusted), then stored in the file storage (MEDIA_ROOT, or the shared bucket) with unguessable
names, and removed again when the change that stored them fails."""

import hashlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from nim_portal.models import User
from tasking.submissions.choices import ATTACHMENT_KINDS
from tasking.submissions.models import PartnerSubmission, SubmissionAttachment, SubmissionEntry

ALLOWED_TYPES_SENTENCE = "a PDF, PNG or JPEG image, plain text (.txt) or Word (.docx) file"


@dataclass(frozen=True)
class CheckedAttachment:
    """An uploaded file that passed every check, held in memory until it is stored."""

    name: str
    content: bytes
    content_type: str
    sha256: str


def attachment_max_bytes() -> int:
    return settings.NIM_SUBMISSION_ATTACHMENT_MAX_MB * 1024 * 1024


def _safe_name(raw: str) -> str:
    """The file's own name, without any path or control characters (it is only ever shown)."""
    name = PurePath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-255:] or "attachment"


def _is_plain_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text)


def _is_docx(content: bytes) -> bool:
    """A zip holding a Word document's main part; only the directory is read, nothing unpacked."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


SIGNATURE_CHECKS = {
    ".pdf": lambda content: b"%PDF-" in content[:1024],
    ".png": lambda content: content.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": lambda content: content.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda content: content.startswith(b"\xff\xd8\xff"),
    ".txt": _is_plain_text,
    ".docx": _is_docx,
}


def attachment_check(upload) -> CheckedAttachment:
    """One uploaded file checked by size, extension and content signature, or a ValidationError
    on "attachments" naming the file and what is wrong."""
    name = _safe_name(getattr(upload, "name", ""))
    extension = PurePath(name).suffix.lower()
    if extension not in ATTACHMENT_KINDS:
        raise ValidationError(
            {
                "attachments": f"“{name}” is not a kind of file we accept: attach "
                f"{ALLOWED_TYPES_SENTENCE}."
            }
        )
    limit = attachment_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "attachments": f"“{name}” is {size / 1024 / 1024:.1f} MB: each file must be "
                f"{settings.NIM_SUBMISSION_ATTACHMENT_MAX_MB} MB or smaller."
            }
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            {
                "attachments": f"“{name}” is larger than "
                f"{settings.NIM_SUBMISSION_ATTACHMENT_MAX_MB} MB: each file must be that size "
                "or smaller."
            }
        )
    if not content:
        raise ValidationError({"attachments": f"“{name}” is empty."})
    label, content_type = ATTACHMENT_KINDS[extension]
    if not SIGNATURE_CHECKS[extension](content):
        raise ValidationError(
            {
                "attachments": f"“{name}” is not a real {label}: its content does not match its "
                f"name. Attach {ALLOWED_TYPES_SENTENCE}."
            }
        )
    return CheckedAttachment(
        name=name,
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def attachments_check(uploads) -> list[CheckedAttachment]:
    uploads = [upload for upload in uploads or () if upload]
    most = settings.NIM_SUBMISSION_ATTACHMENTS_MAX
    if len(uploads) > most:
        raise ValidationError({"attachments": f"Attach at most {most} files at a time."})
    return [attachment_check(upload) for upload in uploads]


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Names of the files stored inside the block; deleted again if the block fails, so that a
    refused or failed submission leaves no orphan file behind."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def attachments_store(
    stored: list[str],
    submission: PartnerSubmission,
    entry: SubmissionEntry | None,
    checked: list[CheckedAttachment],
    user: User,
) -> list[SubmissionAttachment]:
    attachments = []
    for item in checked:
        attachment = SubmissionAttachment(
            submission=submission,
            entry=entry,
            original_name=item.name,
            content_type=item.content_type,
            size=len(item.content),
            sha256=item.sha256,
            uploaded_by=user,
        )
        attachment.file.save("attachment", ContentFile(item.content), save=False)
        stored.append(attachment.file.name)
        attachment.save()
        attachments.append(attachment)
    return attachments
