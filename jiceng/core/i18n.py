"""Bilingual texts that come from data files (profiles) rather than from gettext catalogs."""
from django.utils.translation import get_language


def pick(text) -> str:
    """A profile text is either a plain string or {zh: ..., en: ...}; Chinese first."""
    if isinstance(text, str):
        return text
    lang = (get_language() or "zh-hans").lower()
    if lang.startswith("en") and text.get("en"):
        return text["en"]
    return text.get("zh") or text.get("en") or ""
