"""Vietnamese names: NFC normalisation, matching keys, accent folding, and dictionary sort order."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Administrative prefixes people write or leave out before a unit's proper name (longest first).
PREFIXES = ("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd", "thị trấn", "phường", "xã", "huyện", "thành phố")
_SPACES = re.compile(r"\s+")
_BREAKS = str.maketrans(dict.fromkeys("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", " "))
# Control (Cc) and format (Cf) characters but tab and line breaks (Unicode 14): BOM, zero-width space,
# direction marks and overrides (U+200E/F, U+202A-E, U+2066-9), soft hyphen. Pasted from web pages and
# PDFs, invisible on screen; removed from every cell's text before it is parsed or compared.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
                       "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
                       "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                       "\U000e0001\U000e0020-\U000e007f]")
_PREFIX = re.compile(r"^(?:" + "|".join(re.escape(p) for p in PREFIXES) + r")\b\s*")

# Vietnamese alphabet order (a ă â b c d đ e ê …); f j w z sit where Latin puts them, for foreign names.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: n for n, letter in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
# Tones in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, control and direction marks removed, white space collapsed: how a name is shown."""
    text = nfc(text)
    if not text.isprintable():  # C-fast check: every category-C character is non-printable
        # a line break of any kind separates words (a bare CR from an old Mac file, Excel's Alt+Enter as \x0b):
        # a space, not nothing, or "Xã\rAn Thượng" would read "XãAn Thượng"
        text = text.translate(_BREAKS)
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return _SPACES.sub(" ", text).strip()


def code_key(code: str) -> str:
    """The key two spellings of one unit code share: case ignored. lower(), not casefold(): casefold makes
    «ß1» and «SS1» one code."""
    return clean(code).lower()


def match_key(name: str) -> str:
    """The key two spellings of one unit share: case, spacing and prefix (Xã, Thị trấn, UBND…) ignored."""
    text = clean(name).casefold()
    previous = None
    while previous != text:  # "UBND xã Tân Sỏi" carries two prefixes
        previous, text = text, _PREFIX.sub("", text, count=1)
    return text


def fold_accents(text: str) -> str:
    """Accents removed (đ → d): to *suggest* a match (never to apply one), and for ASCII file names."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def _char_key(ch: str) -> tuple[int, int]:
    parts = unicodedata.normalize("NFD", ch)
    base = parts[0]
    tone = 0
    for mark in parts[1:]:
        if mark in _MODIFIERS:
            base += mark
        else:
            tone = _TONES.get(mark, tone)
    letter = unicodedata.normalize("NFC", base)
    rank = _LETTER_RANK.get(letter)
    if rank is None:  # digits, spaces, punctuation sort before letters, by code point
        return (-1_000_000 + ord(letter[0]) if not letter.isalpha() else 1000 + ord(letter[0]), tone)
    return rank, tone


def sort_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Vietnamese dictionary order of a unit's proper name: letters first, then tones, then the raw text."""
    text = match_key(name)
    keys = [_char_key(ch) for ch in text]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys), text
