"""How area names are compared: normalised text, the name's core, close matches for a typo.

Used by :func:`analysis.tables.geography.find_area`. A name and what a user types are compared
after :func:`normalise` (case, punctuation, hyphens of a slug, ``&``, the long forms of kinds)
and, failing that, by their core (:func:`core_name`: no ``NHS``, no kind word, no trailing code),
so that ``birmingham-and-solihull`` finds ``NHS Birmingham and Solihull Integrated Care Board``.
"""

from __future__ import annotations

import difflib
import re

LABELS = {"practice": "practice", "pcn": "PCN", "sub_icb": "sub-ICB", "icb": "ICB",
          "region": "region", "ccg": "CCG", "stp": "STP", "cluster": "cluster"}
# A name shared by areas of several kinds (an ICB and its sub-ICB location) means the first.
PREFERENCE = ("icb", "sub_icb", "pcn", "ccg", "stp", "region", "practice")
MAX_SHOWN = 3


def kind_label(kind: str) -> str:
    """``ICB`` for ``icb``, ``sub-ICB`` for ``sub_icb`` (as messages write a kind)."""
    return LABELS.get(kind, kind)


def shorten(text: str, limit: int = 64) -> str:
    """Typed text as a message shows it: cut at ``limit`` characters, control characters
    escaped."""
    text = str(text)
    text = text if len(text) <= limit else text[:limit] + "..."
    return text.encode("unicode_escape").decode("ascii")


_PHRASES = [("integrated care board", "icb"),
            ("clinical commissioning group", "ccg"), ("primary care network", "pcn"),
            ("sub icb location", "sub icb"), ("subicb", "sub icb")]
_KIND_WORDS = {"sub icb": "sub_icb", "icb": "icb", "ccg": "ccg", "stp": "stp", "pcn": "pcn",
               "region": "region"}


def normalise(text: str) -> str:
    """Lower case, punctuation and hyphens as spaces, ``&`` as ``and``, kinds abbreviated."""
    out = re.sub(r"[^0-9a-z]+", " ", str(text).lower().replace("&", " and "))
    out = " " + " ".join(out.split()) + " "
    for old, new in _PHRASES:
        out = out.replace(f" {old} ", f" {new} ")
    return out.strip()


def core_name(norm: str, code: str = "") -> tuple[str, str | None]:
    """``norm`` without ``nhs``, a trailing code and kind words at either end; the kind named."""
    words = norm.split()
    if code and words and words[-1] == code.lower():
        words = words[:-1]
    named = None
    changed = True
    while changed and words:
        changed = False
        if words[0] == "nhs":
            words, changed = words[1:], True
        for phrase, kind in _KIND_WORDS.items():
            n = len(phrase.split())
            for at in (slice(-n, None), slice(0, n)):
                if len(words) > n and " ".join(words[at]) == phrase:
                    named = named or kind
                    words = words[:-n] if at.start == -n else words[n:]
                    changed = True
                    break
    return " ".join(words), named


def did_you_mean(norm: str, entries: dict[tuple[str, str], str]) -> str:
    """`` : did you mean 'A' (ICB QHL) or 'B' (PCN U1)?`` (up to three, by closeness)."""
    scored: dict[str, tuple[float, tuple[str, str]]] = {}
    for key, name in entries.items():
        if not name:
            continue
        core = core_name(normalise(name), key[1])[0]
        text = core_name(norm)[0] or norm
        score = max(difflib.SequenceMatcher(None, text, core).ratio(),
                    difflib.SequenceMatcher(None, text, core[:len(text) + 1]).ratio() - 0.05,
                    difflib.SequenceMatcher(None, norm, key[1].lower()).ratio())
        rank = (score, -PREFERENCE.index(key[0]))
        if core not in scored or rank > (scored[core][0], -PREFERENCE.index(scored[core][1][0])):
            scored[core] = (score, key)
    close = sorted((v for v in scored.values() if v[0] >= 0.6),
                   key=lambda v: (-round(v[0], 6), PREFERENCE.index(v[1][0]), v[1][1]))
    shown = [f"{entries[k]!r} ({kind_label(k[0])} {k[1]})" for _, k in close[:MAX_SHOWN]]
    if not shown:
        return "; expected a code, a name or a slug of an area in the mapping"
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f": did you mean {listed}?"
