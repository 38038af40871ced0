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


def compile_catalogs() -> int:
    """Compile the .po catalogs to .mo at setup (pure Python: no gettext tools needed)."""
    from pathlib import Path

    import polib

    count = 0
    for po in (Path(__file__).resolve().parent.parent / "locale").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            polib.pofile(str(po)).save_as_mofile(str(mo))
            count += 1
    return count
