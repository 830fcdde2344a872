"""Near-name suggestions against a registry's names: the same answers as difflib over every name, bounded in work.

A name not found in the registry is offered the units whose name matches without accents, else the two
nearest names (difflib ratio ≥ 0.8). Over a district's list (tens of names) that costs nothing; over a
national one (19,000 names) difflib takes ~20 ms a name, and a folder of 2,000 unmatched names 45 s. So:
- the keys are folded and grouped once (not on every call), and a name asked twice is answered from memory;
- candidates are narrowed without losing any difflib would keep: a name at ratio ≥ 0.8 is within 2/3..3/2
  of the asked name's length and shares at least 2/3 of its letters (quick_ratio ≥ ratio), so it holds one
  of the asked name's rarest letters (counted with repeats); only those candidates are handed to difflib;
- what work is left is bounded (SUGGEST_WORK candidate comparisons per run): from the first search that does
  not fit, a name is offered only its accent-insensitive matches, and the caller says in one line how many
  names were left without.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

from .names import fold_accents

CUTOFF = 0.8  # difflib's ratio for a suggestion: as it always was
# Candidate comparisons (difflib's, after narrowing) allowed per run, 1-2 µs each: about a second at worst. A
# district's list (≤ 100 names) never reaches it (5,000 unmatched names); a national list of near-identical
# names reaches it after some tens of names.
SUGGEST_WORK = 500_000
# Below this many names the narrowing is not worth its bookkeeping: difflib sees every name, as it always did.
_INDEX_FROM = 500


class NearNames:
    """The registry's names folded once, per subject type, with an index of their letters for narrowing."""

    def __init__(self, entries: Sequence[tuple[Any, str, list[str]]]) -> None:
        """`entries`: (unit, its subject, the match keys of its name then its aliases), in registry order."""
        self.skipped = 0
        self._work = 0
        self._memo: dict[tuple[str, str | None], list[Any]] = {}
        self._same: dict[str, list[tuple[Any, str]]] = {}  # folded key → (unit, subject), each unit once
        self._pools: dict[str | None, _Pool] = {}
        by_subject: dict[str | None, dict[str, Any]] = {None: {}}
        for unit, subject, keys in entries:
            folded = [fold_accents(k) for k in keys]
            for key in dict.fromkeys(folded):
                self._same.setdefault(key, []).append((unit, subject))
            # the name's key, not an alias's: the later unit wins a key two share, as a dict built in order does
            by_subject[None][folded[0]] = unit
            by_subject.setdefault(subject, {})[folded[0]] = unit
        self._by_subject = by_subject

    def suggest(self, key: str, subject: str | None) -> list[Any]:
        """Units whose folded name or alias is `key` folded; else the (at most two) nearest names."""
        folded = fold_accents(key)
        same = [u for u, s in self._same.get(folded, []) if subject is None or s == subject]
        if same:
            return same
        if (folded, subject) in self._memo:
            return list(self._memo[(folded, subject)])
        if self._work >= SUGGEST_WORK:  # spent: not even narrowed (that too is work over the whole list)
            self.skipped += 1
            return []
        pool = self._pool(subject)
        candidates = pool.candidates(folded)
        if self._work + len(candidates) > SUGGEST_WORK:
            self._work = SUGGEST_WORK  # the first search that does not fit ends them all: a bound, and one rule
            self.skipped += 1
            return []
        self._work += len(candidates)
        found = [pool.units[k] for k in difflib.get_close_matches(folded, candidates, n=2, cutoff=CUTOFF)]
        self._memo[(folded, subject)] = found
        return list(found)

    def _pool(self, subject: str | None) -> _Pool:
        if subject not in self._pools:
            self._pools[subject] = _Pool(self._by_subject.get(subject, {}))
        return self._pools[subject]


class _Pool:
    """One subject type's names (or all of them): folded key → unit, and for many names a letter index."""

    def __init__(self, units: dict[str, Any]) -> None:
        self.units = units
        self._keys = list(units)
        self._postings: dict[Hashable, set[str]] | None = None
        if len(self._keys) >= _INDEX_FROM:
            self._postings = {}
            for key in self._keys:
                for token in _tokens(key):
                    self._postings.setdefault(token, set()).add(key)

    def candidates(self, folded: str) -> list[str]:
        """Every key that can reach CUTOFF against `folded` (a superset: difflib decides)."""
        if self._postings is None or not folded:
            return self._keys
        tokens = _tokens(folded)
        # ratio ≥ CUTOFF needs 2·M/(a+b) ≥ CUTOFF with M ≤ min(a, b) and b ≥ a·CUTOFF/(2−CUTOFF): so M, the
        # letters shared, is at least `need`; of any (a − need + 1) of the asked name's letters one is shared.
        a = len(folded)
        need = math.floor(CUTOFF * (a + a * CUTOFF / (2 - CUTOFF)) / 2 + 1e-9) - 1  # one lower: float safety
        if need <= 0:
            return self._keys
        postings = self._postings
        rarest = sorted(tokens, key=lambda t: len(postings.get(t, ())))[:a - need + 1]
        keep: set[str] = set().union(*(postings.get(t, set()) for t in rarest))
        low, high = a * CUTOFF / (2 - CUTOFF) - 1, a * (2 - CUTOFF) / CUTOFF + 1
        # in any order: difflib ranks by (ratio, key), and keys are distinct
        return [k for k in keep if low <= len(k) <= high]


def _tokens(key: str) -> list[tuple[str, int]]:
    """Each letter with its repeat number: «anan» → (a,1) (n,1) (a,2) (n,2): shared tokens are shared letters
    counted as difflib's quick_ratio counts them."""
    seen: Counter[str] = Counter()
    out = []
    for ch in key:
        seen[ch] += 1
        out.append((ch, seen[ch]))
    return out


def compact_code(code: str) -> str:
    """A code with only its letters and digits, in lower case: «YT -X02» and «yt-x02» are both «ytx02»."""
    return "".join(ch for ch in fold_accents(code).casefold() if ch.isalnum())
