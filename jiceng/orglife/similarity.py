"""Minutes nearly identical to another meeting's: a fact for a person to judge, never a penalty.

Measured in docs/decisions/similarity.md. The text is normalized (digits, Latin letters, punctuation and
spaces dropped: a copied record with a new date still matches), cut into character 3-grams (no word
segmentation needed for Chinese), and compared by the Jaccard index of those sets. To find candidates
without comparing every pair, each meeting keeps a MinHash signature cut into LSH bands (`MinutesBand`):
two meetings sharing a band key are candidates, and only candidates have their exact index computed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.db import models

K = 3  # characters per shingle
PERMUTATIONS, BANDS = 64, 16  # 16 bands of 4 rows: a pair at Jaccard 0.6 shares a band with p ≈ 0.88
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.6  # Jaccard of the 3-gram sets at or above which a pair is flagged
MIN_CHARS = 40  # shorter minutes (after normalizing) say too little to compare
_PRIME = (1 << 61) - 1
_MASK = (1 << 63) - 1
_DROP = re.compile(r"[\W\d_a-zA-Z]+", re.UNICODE)


def _coefficients():
    out = []
    for i in range(PERMUTATIONS):
        h = hashlib.blake2b(f"jiceng-minhash-{i}".encode(), digest_size=16).digest()
        out.append((int.from_bytes(h[:8], "big") % (_PRIME - 1) + 1, int.from_bytes(h[8:], "big") % _PRIME))
    return out


_AB = _coefficients()


def normalize(text: str) -> str:
    return _DROP.sub("", text or "")


def shingles(text: str) -> frozenset[str]:
    s = normalize(text)
    if len(s) < MIN_CHARS:
        return frozenset()
    return frozenset(s[i:i + K] for i in range(len(s) - K + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(text_a: str, text_b: str) -> float:
    """The Jaccard index of the two minutes' 3-gram sets (0 when either is too short to judge)."""
    return jaccard(shingles(text_a), shingles(text_b))


def _h(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")


def signature(grams: frozenset[str]) -> list[int]:
    hashed = [_h(g) for g in grams]
    return [min((a * x + b) % _PRIME for x in hashed) for a, b in _AB] if hashed else []


def band_keys(grams: frozenset[str]) -> list[int]:
    """One key per band (signed 63-bit, for the database's bigint); none for minutes too short to judge."""
    sig = signature(grams)
    if not sig:
        return []
    keys = []
    for band in range(BANDS):
        part = ",".join(str(v) for v in sig[band * ROWS:(band + 1) * ROWS])
        keys.append((_h(f"{band}:{part}") & _MASK) - (1 << 62))
    return keys


def digest(text: str) -> str:
    return hashlib.blake2b(normalize(text).encode(), digest_size=12).hexdigest()


# ----------------------------------------------------------------------------------- kept per meeting

def refresh(meeting) -> None:
    """Keep the meeting's band keys in step with its minutes (on every save; a no-op if they did not change)."""
    from .models import MinutesBand, MinutesSignature

    d = digest(meeting.minutes)
    kept = MinutesSignature.objects.filter(meeting_id=meeting.pk).values_list("digest", flat=True).first()
    if kept == d:
        return
    MinutesBand.objects.filter(meeting_id=meeting.pk).delete()
    MinutesSignature.objects.update_or_create(meeting_id=meeting.pk, defaults={"digest": d})
    MinutesBand.objects.bulk_create(MinutesBand(meeting_id=meeting.pk, key=k) for k in band_keys(shingles(meeting.minutes)))


def fill_missing(meetings: models.QuerySet) -> None:
    """Meetings written as plain rows (the import) have no signature yet: add them."""
    for m in meetings.filter(minutes_signature__isnull=True).only("pk", "minutes").iterator():
        refresh(m)


def on_save(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        refresh(instance)


# ----------------------------------------------------------------------------------- finding pairs

@dataclass(frozen=True)
class Pair:
    a: object  # Meeting
    b: object
    score: float


def pairs(meetings: models.QuerySet, limit: int = 200) -> list[Pair]:
    """Pairs of the given meetings (already scoped) whose minutes are nearly identical, most similar first:
    candidates by shared band keys (one GROUP BY), then the exact index of each candidate."""
    from .models import Meeting, MinutesBand

    fill_missing(meetings)
    ids = meetings.values("pk")
    shared = (MinutesBand.objects.filter(meeting__in=ids).values("key").annotate(n=models.Count("id"))
              .filter(n__gt=1).values("key"))
    by_key: dict[int, set[int]] = {}
    for key, mid in MinutesBand.objects.filter(key__in=shared, meeting__in=ids).values_list("key", "meeting_id"):
        by_key.setdefault(key, set()).add(mid)
    candidates = {(x, y) for group in by_key.values() for x in group for y in group if x < y}
    return _verified(Meeting, candidates, limit)


def similar_to(meeting, meetings: models.QuerySet) -> list[Pair]:
    """The meetings among `meetings` (already scoped) whose minutes nearly match this one's."""
    from .models import Meeting, MinutesBand

    refresh(meeting)
    keys = MinutesBand.objects.filter(meeting_id=meeting.pk).values("key")
    others = set(MinutesBand.objects.filter(key__in=keys, meeting__in=meetings.values("pk"))
                 .exclude(meeting_id=meeting.pk).values_list("meeting_id", flat=True))
    return _verified(Meeting, {(meeting.pk, o) for o in others}, 50)


def _verified(Meeting, candidates, limit) -> list[Pair]:
    if not candidates:
        return []
    wanted = {i for pair in candidates for i in pair}
    rows = {m.pk: m for m in Meeting.objects.filter(pk__in=wanted).select_related("org")}
    grams = {pk: shingles(m.minutes) for pk, m in rows.items()}
    found = []
    for x, y in candidates:
        score = jaccard(grams[x], grams[y])
        if score >= THRESHOLD:
            found.append(Pair(rows[x], rows[y], score))
    found.sort(key=lambda p: (-p.score, p.a.pk, p.b.pk))
    return found[:limit]
