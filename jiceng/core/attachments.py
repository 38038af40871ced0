"""Uploaded attachments: a size limit and a list of document and image types.

JICENG_ATTACHMENT_MAX_MB (default 20) and JICENG_ATTACHMENT_TYPES (default pdf, ofd, jpg, jpeg,
png, doc, docx, xls, xlsx, wps, et) are read when a file is checked, so the limits can change
without a migration. A file's first bytes must agree with its extension: a renamed executable or
web page is not a PDF.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

ZIP, OLE = (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# How each known type's content starts (Office Open XML and OFD are zip files; the old Office and
# WPS formats are OLE compound files). A type allowed by the settings but not listed here is
# checked by its extension only.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": ZIP, "xlsx": ZIP, "pptx": ZIP, "ofd": ZIP, "zip": ZIP,
    "doc": OLE, "xls": OLE, "ppt": OLE, "wps": OLE, "et": OLE,
}


def allowed_types() -> list[str]:
    return list(settings.JICENG_ATTACHMENT_TYPES)


def max_bytes() -> int:
    return int(float(settings.JICENG_ATTACHMENT_MAX_MB) * 1024 * 1024)


@deconstructible
class AttachmentValidator:
    """Refuses a file over the size limit, of a type not allowed, or whose content is not its type."""

    def __call__(self, file) -> None:
        name = getattr(file, "name", "") or ""
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        allowed = allowed_types()
        if ext not in allowed:
            raise ValidationError(
                _("附件类型不允许：%(name)s；可上传的类型为 %(types)s") % {"name": name.rsplit("/", 1)[-1], "types": "、".join(allowed)},
                code="attachment_type")
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes():
            raise ValidationError(
                _("附件过大：%(size).1f MB，上限为 %(max)s MB") % {"size": size / 1024 / 1024,
                                                             "max": f"{settings.JICENG_ATTACHMENT_MAX_MB:g}"},
                code="attachment_size")
        signatures = SIGNATURES.get(ext)
        if signatures and not _starts_with(file, signatures):
            raise ValidationError(_("附件内容与扩展名 .%(ext)s 不符，请上传真实的 %(EXT)s 文件") % {"ext": ext, "EXT": ext.upper()},
                                  code="attachment_content")

    def __eq__(self, other):
        return isinstance(other, AttachmentValidator)


def _starts_with(file, signatures) -> bool:
    try:
        position = file.tell() if hasattr(file, "tell") else None
        file.seek(0)
        head = file.read(16)
        if position is not None:
            file.seek(position)
    except (AttributeError, OSError, ValueError):
        return True  # nothing readable to check: the size and extension checks stand
    if isinstance(head, str):
        head = head.encode("latin-1", "replace")
    return any(head.startswith(sig) for sig in signatures)


validate_attachment = AttachmentValidator()


def attachment_help() -> str:
    return _("可上传 %(types)s，不超过 %(max)s MB") % {"types": "、".join(allowed_types()),
                                                   "max": f"{settings.JICENG_ATTACHMENT_MAX_MB:g}"}


def attachment_accept() -> str:
    """The file picker's filter (the `accept` attribute)."""
    return ",".join(f".{t}" for t in allowed_types())
