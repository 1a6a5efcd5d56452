"""The quantity grammar: numbers, ranges, comparators, approximators, units and negatives.

Chinese is matched on a same-length view (traditional→simplified, full-width→ASCII), so every
span found in the view is the span in the text of record. All words live in
``data/quantities/{units,zh,en}.yaml``; this module only knows how they combine.
"""
from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass, field
from collections.abc import Callable
from functools import lru_cache, partial

from claimaudit.config import data_path, load_yaml
from claimaudit.textnorm import ascii_case_strays, simplified_view

COMPARATORS = ("eq", "approx", "range", "lt", "le", "gt", "ge")
_CTX = 40  # characters of context read on each side of the scanned bounds


@dataclass(frozen=True)
class Quantity:
    start: int  # absolute offsets into the text passed in
    end: int
    value_low: float | None
    value_high: float | None
    unit: str  # canonical unit name
    comparator: str  # eq approx range lt le gt ge
    vague: bool = False
    approx: bool = False
    rate_period: str = ""


# --------------------------------------------------------------------------- small helpers
def _alt(words) -> str:
    """Regex alternation, longest first so the longest surface form wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _ialt(words) -> str:
    """``(?i:{_alt(words)})`` written so the regex engine can reject most alternatives on their
    first character (it can only for a plain character or class, not for a case-insensitive one):
    a word opening with an ASCII letter starts with the class of exactly what ``(?i:letter)``
    matches (both cases, plus the non-ASCII letters folding to it: K, ſ, İ ı). Same matches.
    (A class with a wide range such as ``\x80-\U0010FFFF`` would match the same after a
    lookbehind, but compiling one costs milliseconds, seconds over the whole grammar.)"""
    strays = ascii_case_strays()
    parts = []
    for w in sorted(set(words), key=lambda w: (-len(w), w)):
        c = w[0]
        if c.isascii() and c.isalpha():
            cls = c.lower() + c.upper() + strays.get(c.lower(), "")
            parts.append(f"[{cls}]" + (f"(?i:{re.escape(w[1:])})" if len(w) > 1 else ""))
        else:
            parts.append(f"(?i:{re.escape(w)})")
    return "(?:" + "|".join(parts) + ")"


def _is_latin(s: str) -> bool:
    return any("a" <= c.lower() <= "z" for c in s)


class _EndWords:
    """A pattern searched in a window that must end at the window's end (``…\\Z``) and whose
    last non-space character is always the last character of one of ``words`` (whitespace and
    zero-width tests may follow; no word ends in whitespace). No match can then start at or before
    the window's last non-space character unless that character can end a word, so ``search``
    starts after it when it cannot: the same match as ``pattern.search``, with far fewer start
    positions tried (most numbers have no comparator word before them)."""

    __slots__ = ("rx", "tails", "nocase")

    def __init__(self, pattern: str, words, nocase: bool = False):
        words = [w for w in words if w]
        if any(w != w.strip() for w in words):
            raise ValueError("a word ends in whitespace")
        self.rx = re.compile(pattern)
        self.nocase = nocase
        tails = {w[-1] for w in words}
        if nocase:
            if any(not c.isascii() and c.lower() != c.upper() for c in tails):
                tails = None  # a cased non-ASCII ending may fold to ASCII: never skip
            else:
                tails |= {c.upper() for c in tails} | {c.lower() for c in tails}
        self.tails = None if tails is None else frozenset(tails)

    def search(self, view: str, lo: int, hi: int) -> re.Match | None:
        j = hi - 1
        while j >= lo and view[j].isspace():
            j -= 1
        tails = self.tails
        if j >= lo and tails is not None and view[j] not in tails and (not self.nocase or view[j].isascii()):
            lo = j + 1  # view[j] cannot end a word: no match starts at or before it
        return self.rx.search(view, lo, hi)


def _all_strays() -> str:
    """Every non-ASCII letter that case folding equates with an ASCII one (for guard classes)."""
    return "".join(sorted("".join(ascii_case_strays().values())))


def _starts_guard(words, nocase: bool = False) -> str:
    """A lookahead that fails fast where none of ``words`` (nor whitespace, nor the end) begins;
    put in front of an all-optional pattern so that most start positions are rejected at once."""
    firsts = {w[0] for w in words if w}
    extra = ""
    if nocase:
        extra = _all_strays()  # non-ASCII letters that fold to ASCII (K, ſ, İ ı)
        if any(not c.isascii() and c.lower() != c.upper() for c in firsts):
            extra += "A-Za-z"  # and the other way round
        firsts |= {c.upper() for c in firsts} | {c.lower() for c in firsts}
    cls = "".join(sorted(re.escape(c) for c in firsts)) + extra
    return rf"(?=[{cls}]|\s|\Z)"


def _fold_table() -> dict[int, str]:
    """Full-width digits, letters and number symbols → ASCII, one character for one (offsets kept).
    Clause punctuation (，；（）) is left alone: it never belongs to a number."""
    t = {0xFF10 + i: chr(0x30 + i) for i in range(10)}
    t.update({0xFF21 + i: chr(0x41 + i) for i in range(26)})
    t.update({0xFF41 + i: chr(0x61 + i) for i in range(26)})
    t.update({ord(a): b for a, b in zip("．％～－＜＞＝／＋：", ".%~-<>=/+:")})
    t.update({0x3000: " ", ord("〜"): "~", ord("‐"): "-", ord("‑"): "-", ord("−"): "-",
              ord("﹣"): "-", ord("µ"): "μ", ord("﹪"): "%", ord("﹤"): "<", ord("﹥"): ">",
              ord("≦"): "≤", ord("≧"): "≥", ord("\u00a0"): " "})
    return t


_FOLD = _fold_table()
_FOLD_RE = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def _fold_char(m: re.Match) -> str:
    return _FOLD[ord(m.group())]


def _fold(s: str) -> str:
    return _FOLD_RE.sub(_fold_char, s)


def _family(lang: str) -> str:
    return "zh" if lang.lower().startswith("zh") else "en"


# --------------------------------------------------------------------------- units
@lru_cache(maxsize=None)
def _units(family: str) -> tuple[dict[str, tuple[str, float]], dict[str, tuple[str, float]]]:
    """(exact forms, case-folded forms) → (canonical, factor) for one language family."""
    data = load_yaml("quantities", "units.yaml")
    exact: dict[str, tuple[str, float]] = {}
    folded: dict[str, tuple[str, float]] = {}
    for section in ("common", family):
        for form, spec in data[section].items():
            canon, factor = (spec, 1.0) if isinstance(spec, str) else (spec[0], float(spec[1]))
            if _is_latin(form) and len(form) >= 2:
                folded[form.lower()] = (canon, factor)
            else:
                exact[form] = (canon, factor)
    return exact, folded


def unit_forms(lang: str) -> dict[str, str]:
    """Every surface form of ``lang`` with its canonical unit (for tests and documentation)."""
    exact, folded = _units(_family(lang))
    return {**{k: v[0] for k, v in folded.items()}, **{k: v[0] for k, v in exact.items()}}


def _unit_regex(family: str) -> str:
    """Every unit form, longest first, dispatched on the first character (see _by_first_char)."""
    exact, folded = _units(family)
    strays = ascii_case_strays()
    forms = []
    for form in sorted(set(exact) | set(folded), key=lambda w: (-len(w), w)):
        guard = r"(?![A-Za-z0-9_²])" if _is_latin(form[-1]) or form[-1].isdigit() else ""
        c = form[0]
        if form not in folded:
            forms.append((c, c, re.escape(form[1:]) + guard))
        elif c.isascii() and c.isalpha():  # (?i:c) matches exactly both cases and the strays
            cases = c.lower() + c.upper() + strays.get(c.lower(), "")
            forms.append((c, cases, f"(?i:{re.escape(form[1:])})" + guard))
        else:  # a cased non-ASCII first letter (µg): what (?i) equates with it is not spelt out
            forms.append((c, None, f"(?i:{re.escape(form)})" + guard))
    return _first_guard(exact, folded) + _by_first_char(forms)


def _by_first_char(forms: list[tuple[str, str | None, str]]) -> str:
    """An alternation of ``forms`` that matches exactly like the plain one, grouped so that the
    regex engine rejects a whole group on one class test: ``[first](?:rest|…)``. ``forms`` are, in
    order, ``(first character, every character it matches, the regex of the rest)``, or
    ``(first character, None, the regex of the whole form)`` for a case-insensitive first
    character whose matches are not spelt out.

    Forms whose first characters overlap share a group, in their order (a form that matches fewer
    first characters than its group checks its own with a lookbehind); groups share none, so at
    any position every form that could match is in one group, tried in the original order. The
    forms of the second kind go, in order, into one plain group: no character of the other groups
    may match them."""
    groups: list[tuple[set[str], list[int]]] = []  # (first characters, members' indices)
    unknown: list[int] = []
    for i, (_, first, _) in enumerate(forms):
        if first is None:
            unknown.append(i)
            continue
        chars, members = set(first), [i]
        for grp in [grp for grp in groups if grp[0] & chars]:
            chars |= grp[0]
            members += grp[1]
            groups.remove(grp)
        groups.append((chars, sorted(members)))
    known = "".join(ch for chars, _ in groups for ch in chars)
    for i in unknown:
        if re.search(f"(?i:{re.escape(forms[i][0])})", known):
            raise ValueError(f"a form starting with {forms[i][0]!r} may start like another form")
    parts = []
    for chars, members in sorted(groups, key=lambda grp: grp[1][0]):
        alts = [("" if set(forms[i][1]) == chars else f"(?<=[{_class(forms[i][1])}])") + forms[i][2]
                for i in members]
        parts.append(f"[{_class(chars)}]" + (alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"))
    if unknown:
        parts.append("(?:" + "|".join(forms[i][2] for i in unknown) + ")")
    return "(?:" + "|".join(parts) + ")"


def _class(chars) -> str:
    """The body of a character class holding exactly ``chars``."""
    return "".join(re.escape(ch) for ch in sorted(set(chars)))


def _first_guard(exact, folded) -> str:
    """A lookahead for the first characters of ``exact`` and (case-insensitive) ``folded`` words:
    where no word can begin, one class test rejects the whole alternation after it."""
    chars = {w[0] for w in exact if w}
    for w in folded:
        chars |= {w[0], w[0].lower(), w[0].upper()}
    cls = "".join(re.escape(c) for c in sorted(chars))
    if folded:
        cls += _all_strays()  # non-ASCII letters that fold to ASCII (K, ſ, İ ı)
        if any(not w[0].isascii() and w[0].lower() != w[0].upper() for w in folded):
            cls += "A-Za-z"  # and the other way round
    return f"(?=[{cls}])"


@lru_cache(maxsize=4096)
def _lookup_unit(form: str, family: str) -> tuple[str, float] | None:
    """(canonical, factor) of a unit form as written (cached: forms are short words)."""
    exact, folded = _units(family)
    return exact.get(form) or folded.get(form.lower())


@lru_cache(maxsize=None)
def _time_seconds() -> dict[str, float]:
    return {k: float(v) for k, v in load_yaml("quantities", "units.yaml")["time_seconds"].items()}


# --------------------------------------------------------------------------- Chinese numerals
@lru_cache(maxsize=None)
def _zh_tables():
    z = load_yaml("quantities", "zh.yaml")["numerals"]
    return ({k: int(v) for k, v in z["digits"].items()}, {k: int(v) for k, v in z["small_units"].items()},
            {k: int(v) for k, v in z["big_units"].items()}, set(z["point"]), set(z["minus"]))


_AR_CHUNK = re.compile(r"[0-9]+(?:\.[0-9]+)?|.", re.S)


def _zh_int(s: str) -> float | None:
    """Value of a Chinese (or mixed Arabic/Chinese) integer: 一百零五, 两千四百五, 3万4000, 四万万."""
    digits, small, big, _, _ = _zh_tables()
    if not s:
        return None
    total, section, num = 0.0, 0.0, None
    max_big, last_unit, after_zero, prev_big = 0, 0, False, False
    for tok in _AR_CHUNK.findall(s):
        if tok[0].isdigit():
            if num is not None:
                return None
            num, after_zero, prev_big = float(tok), False, False
        elif tok in digits:
            d = digits[tok]
            if d == 0:
                after_zero, last_unit = True, 0
                continue
            if num is not None:
                return None
            num, prev_big = float(d), False
        elif tok in small:
            u = small[tok]
            section += (1.0 if num is None else num) * u
            num, last_unit, after_zero, prev_big = None, u, False, False
        elif tok in big:
            u = big[tok]
            if num is None and section == 0 and (total or prev_big):
                total *= u  # 万万, 万亿: consecutive big units multiply
            elif u > max_big:
                total = (total + section + (num or 0)) * u
            else:
                total += (section + (num or 0)) * u
            max_big = max(max_big, u)
            section, num, last_unit, after_zero, prev_big = 0.0, None, u, False, True
        else:
            return None
    if num is not None:
        if last_unit >= 10 and not after_zero:
            num *= last_unit / 10  # 两千四百五 = 2450, 一万三 = 13000
        section += num
    if s[0] not in ("十", "拾") and not any(c in digits or c.isdigit() for c in s):
        return None  # 百, 千, 万 without a digit are not numbers (百日咳, 千年, 万万)
    return total + section


def _one_led(s: str) -> str:
    """百分之百, 百万分之五: a leading bare multiplier counts once (一百, 一百万)."""
    return "一" + s if s[:1] in "百千万亿佰仟萬億" and s else s


_ZH_DROPPED = re.compile(r"\s+|[余多几幾]")  # spaces and vague suffixes carry no value
_THOUSANDS_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9]{3})")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ZH_SCALED = re.compile(r"([0-9]+(?:\.[0-9]+)?)([万亿萬億兆千百]+)")


def _zh_number(s: str) -> float | None:
    """Chinese/mixed number with 点 decimals, 负, 分之 fractions and 又 mixed numbers."""
    digits, _, _, point, minus = _zh_tables()
    s = _THOUSANDS_COMMA.sub("", _ZH_DROPPED.sub("", s))
    if not s:
        return None
    sign = 1.0
    if s[0] in minus:
        sign, s = -1.0, s[1:]
    if "又" in s:
        a, _, b = s.partition("又")
        va, vb = _zh_number(a), _zh_number(b)
        return None if va is None or vb is None else sign * (va + vb)
    if "分之" in s:
        den, _, nume = s.partition("分之")
        vd, vn = _zh_number(_one_led(den)), _zh_number(_one_led(nume))
        return None if not vd or vn is None else sign * vn / vd
    if s.endswith("打"):
        v = _zh_number(s[:-1])
        return None if v is None else sign * v * 12
    pt = next((p for p in point if p in s), None)
    if pt:
        ip, _, fp = s.partition(pt)
        vi = _zh_int(ip) if ip not in ("", "零", "〇") else 0.0
        if vi is None or not fp:
            return None
        # a trailing big unit applies to the whole decimal: 两千万点五五四四 keeps its integer
        frac = "".join(str(digits[c]) if c in digits else (c if c.isdigit() else "x") for c in fp)
        if "x" in frac:
            return None
        return sign * (vi + float("0." + frac))
    if _DECIMAL.fullmatch(s):
        return sign * float(s)
    m = _ZH_SCALED.fullmatch(s)
    if m:
        v = float(m.group(1))
        for c in m.group(2):
            v *= {"千": 1e3, "百": 1e2}.get(c) or _zh_tables()[2][c]
        return sign * v
    v = _zh_int(s)
    return None if v is None else sign * v


# --------------------------------------------------------------------------- English numerals
@lru_cache(maxsize=None)
def _en_tables():
    e = load_yaml("quantities", "en.yaml")["numerals"]
    return e


_EN_WORD_SPLIT = re.compile(r"[\s\-,]+")


def _en_words(s: str) -> float | None:
    """Value of English number words: twenty-five, one hundred and three, two and a half, a dozen."""
    e = _en_tables()
    ones, tens, scales, fracs = e["ones"], e["tens"], e["scales"], e["fractions"]
    words = [w for w in _EN_WORD_SPLIT.split(s.lower().strip()) if w]
    if not words:
        return None
    sign = 1.0
    if words[0] in e["minus"]:
        sign, words = -1.0, words[1:]
    if not words:
        return None
    total, current, seen, extra, last_scale = 0.0, 0.0, False, 0.0, 1.0
    i = 0
    while i < len(words):
        w = words[i]
        if _DECIMAL.fullmatch(w) and (not current or (current >= 100 and float(w) < 100)):
            current, seen = current + float(w), True
            i += 1
            continue
        if w in ("a", "an", "one") and i + 1 < len(words) and words[i + 1] in ("half", "quarter", "third") \
                and i > 0 and words[i - 1] == "and":
            base = last_scale if words[i - 2:i - 1] and words[i - 2] in scales else 1.0
            extra += base / fracs[words[i + 1]]  # one million and a half = 1 500 000
            i += 2
            continue
        if w in ("a", "an") and i + 1 < len(words) and words[i + 1] in ("half", "quarter", "third"):
            extra += 1.0 / fracs[words[i + 1]]
            i += 2
            continue
        if w in ("a", "an"):
            current, seen = 1.0, True
        elif w == "and":
            pass
        elif w in ones:
            current += ones[w]
            seen = True
        elif w in tens:
            current += tens[w]
            seen = True
        elif w == "hundred":
            current = (current or 1.0) * 100
            seen = True
        elif w in scales:
            total += (current or 1.0) * scales[w]
            current, seen, last_scale = 0.0, True, float(scales[w])
        elif w in ("dozen", "dozens"):
            current = (current or 1.0) * 12
            seen = True
        elif w in ("half",) and not seen:
            current, seen = 0.5, True
        elif w in fracs and seen:  # three quarters, two thirds
            n = total + current
            return sign * n / fracs[w]
        elif w == "point" and seen:
            digs = []
            for x in words[i + 1:]:
                if x in ones and ones[x] < 10:
                    digs.append(str(ones[x]))
                else:
                    return None
            return sign * float(f"{int(total + current)}.{''.join(digs) or '0'}")
        else:
            return None
        i += 1
    if not seen and not extra:
        return None
    return sign * (total + current + extra)


_SUFFIX_MULT = {"k": 1e3, "m": 1e6, "g": 1e9, "b": 1e9, "t": 1e12}


def parse_number(s: str, lang: str) -> float | None:
    """The value of a number written alone: ``1,234.5``, ``２．２``, ``三千零五``, ``4.78万亿``,
    ``twenty-one``, ``2e5``, ``1 3/5``, ``五分之一``; ``None`` when ``s`` is not a number."""
    if not s or not s.strip():
        return None
    t = unicodedata.normalize("NFKC", s).strip().translate(_FOLD)
    t = re.sub(r"^[\-\s]+(?=-)", "", t)
    t = re.sub(r"(?<=\d),\s?(?=\d{3}(?!\d))", "", t)
    m = re.fullmatch(r"(-?)\s*((?:\d+\.?\d*|\.\d+))(?:e([+-]?\d+))?", t, re.I)
    if m:
        v = float(m.group(2)) * (10 ** int(m.group(3)) if m.group(3) else 1)
        return -v if m.group(1) else v
    m = re.fullmatch(r"(-?)\s*(\d+(?:\.\d+)?)\s*\^\s*(-*|\+)(\d+(?:\.\d+)?)", t)
    if m:
        exp = float(m.group(4)) * (-1 if m.group(3).count("-") % 2 else 1)
        v = float(m.group(2)) ** exp
        return -v if m.group(1) else v
    m = re.fullmatch(r"(-?)\s*(\d+(?:\.\d+)?)\s*([kKmMgGbBtT])", t)
    if m:
        v = float(m.group(2)) * _SUFFIX_MULT[m.group(3).lower()]
        return -v if m.group(1) else v
    m = re.fullmatch(r"(-?)\s*(?:(\d+)\s+)?(\d+)\s*/\s*(\d+)", t)
    if m and float(m.group(4)):
        v = float(m.group(2) or 0) + float(m.group(3)) / float(m.group(4))
        return -v if m.group(1) else v
    if _family(lang) == "zh" or re.search(r"[\u4e00-\u9fff]", t):
        v = _zh_number(simplified_view(t))
        if v is not None:
            return v
    return _en_words(t)


# --------------------------------------------------------------------------- grammars
@dataclass
class _Grammar:
    family: str
    core: re.Pattern
    core_bare: re.Pattern
    prefix: _EndWords
    left_block: _EndWords
    date: re.Pattern
    lexicon: re.Pattern | None
    date_digit: re.Pattern | None  # the date patterns, tried at digits only (see _digit_led)
    analyte: re.Pattern
    analyte_units: dict
    prefix_cmp: dict
    suffix_cmp: dict
    suffix_apx: set
    rate_prefix: dict
    rate_suffix: dict
    blocked_right: dict
    blocked_left_chars: str
    classifiers: set
    between_conn: set
    vague_words: set
    prefix_units: dict
    article_left: re.Pattern | None = None
    persistence: re.Pattern | None = None
    analyte_tail: frozenset = frozenset()
    prefix_unit_re: re.Pattern | None = None
    starts: re.Pattern | None = None  # every match begins with one of these characters …
    scan: re.Pattern | None = None  # core behind ``starts`` when that is one class (zh): one search
    scan_bare: re.Pattern | None = None  # … finds the next match (see _behind_class); core_bare's
    word_at: re.Pattern | None = None  # … or with a number word (en): matched at a word start
    word_after: re.Pattern | None = None  # finds the non-letter right before such a word
    word_after_lower: re.Pattern | None = None  # the same on the letters view (bytes)
    strays: re.Pattern | None = None  # a letter (?i) equates with an ASCII one: K ſ İ ı (en)
    age_meta: re.Pattern | None = None
    counter_left: re.Pattern | None = None
    lexicon_span: int = 8  # longest lexicon entry: the window searched around a number
    lexicon_pieces: frozenset | None = None  # every short piece of a lexicon entry (a cheap pre-test)
    # genre rules (data/quantities/{zh,en}.yaml, "genre rules" section)
    unit_re: re.Pattern | None = None
    pair_lower: re.Pattern | None = None  # "高于3.9且" / "above 10 and " ending right before an upper bound
    upper_start: re.Pattern | None = None  # an upper-bound comparator word (低于, below, <)
    past_right: re.Pattern | None = None  # 3天前
    past_event: re.Pattern | None = None  # 睡觉2小时前 (a procedure timing, kept)
    nearly_after: re.Pattern | None = None  # 持续近1周: 近 = nearly
    profile_left: re.Pattern | None = None  # 从医20年
    profile_right: re.Pattern | None = None  # 20年临床经验
    celsius_ctx: re.Pattern | None = None  # 体温超过38度
    people_right: re.Pattern | None = None  # 200万名, 2.7亿人
    people_left: re.Pattern | None = None  # 患者已达2.45亿
    dose_forms: frozenset = frozenset()  # 片 粒 袋 …: counts only after a dosing word
    dose_left: re.Pattern | None = None
    fraction: re.Pattern | None = None  # 一半的患者, half of patients
    fraction_values: dict | None = None
    fraction_anchors: tuple = ()
    genre_marks: tuple = field(init=False)  # what _mean_sd and _fractions start from (a pre-test)
    people_scales: dict | None = None
    one_in: re.Pattern | None = None  # 1 in 5 adults
    age_left: re.Pattern | None = None  # "people over " / "adults " ending right before an age
    age_prefix: frozenset = frozenset()  # over, under, older than … (lower case)
    age_suffix: frozenset = frozenset()  # and older, or younger … (lower case)
    age_right: re.Pattern | None = None  # "over 65 patients": a count, not an age
    age_max: float = 0.0  # the oldest age written without a unit
    per_minute: re.Pattern | None = None  # 心率 … 100次/分 → bpm
    per_minute_units: dict | None = None

    def __post_init__(self) -> None:
        self.genre_marks = _SD_MARKS + self.fraction_anchors


def _lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data text file."""
    return [ln.strip() for ln in data_path("quantities", name).read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def _lower_cmp_words(cmp: dict) -> list[str]:
    return [w for w, c in cmp.items() if c in ("gt", "ge")]


def _upper_cmp_words(cmp: dict) -> list[str]:
    return [w for w, c in cmp.items() if c in ("lt", "le")]


def _zh_grammar() -> _Grammar:
    z = load_yaml("quantities", "zh.yaml")
    arabic = (r"百分之(?:[0-9]{1,3}(?:,[0-9]{3}){1,3}|[0-9]{1,6}(?:\.[0-9]{1,6})?|[零〇一二两三四五六七八九十百千点]{1,10})"
              r"|(?:[0-9]{1,6}|[一二两三四五六七八九十百千万]{1,6})分之(?:[0-9]{1,6}(?:\.[0-9]{1,6})?|[一二两三四五六七八九十百千]{1,6})"
              r"|[0-9]{1,3}(?:,[0-9]{3}(?![0-9])){1,4}(?:\.[0-9]{1,8})?[万亿]?"
              r"|[0-9]{1,12}(?:\.[0-9]{1,8})?[万亿]?")
    words = (r"数[十百千]?|几[十百]?"
             r"|[零〇一二两三四五六七八九十百千万亿]{1,10}+(?:点[零〇一二三四五六七八九]{1,6}+|几)?"
             r"|半")
    unit = _unit_regex("zh")
    conn = (r"\s{0,2}(?:-{1,2}|~|—{1,2}|–|至|到|(?:和|与)(?=[^。\n]{1,16}?之?间))\s{0,2}")
    apx_pre = _alt(z["prefix_approximators"])
    side = (r"(?P<m{i}>[多余])?\s?(?P<g{i}>个)?(?P<h{i}>半)?(?P<mb{i}>多)?(?P<u{i}>{unit})?"
            r"(?P<hb{i}>半)?(?P<mc{i}>[多余])?")
    rate_suf = _alt(z["rate_suffixes"])
    suffix = _alt(list(z["suffix_comparators"]) + z["suffix_approximators"] + z["suffix_fillers"])
    num = rf"(?:{arabic}|{words})"
    # Chinese numerals and vague words are only worth a match when a unit, 个/半/多 or a range
    # connector follows (一般, 一些, 数据 fail inside the regex engine, not in Python).
    num_first = rf"(?:{arabic}|(?:{words})(?=[多余个半]|\s?(?:{unit})|{conn}))"

    def core(first: str) -> re.Pattern:
        return re.compile(
            rf"(?P<whole>(?P<n1>{first})(?P<bp>/[0-9]{{2,3}}(?=\s?(?:mmHg|毫米汞柱)))?"
            + side.format(i=1, unit=unit)
            + rf"(?:(?P<c>{conn})(?P<a2>{apx_pre})?(?P<n2>{num})" + side.format(i=2, unit=unit) + ")?"
            + rf"(?P<rate>{rate_suf})?(?P<suf>\s?(?:{suffix}))?)")
    prefix_words = (list(z["rate_prefixes"]) + ["1日", "1天", "每隔", "每", "介于", "位于", "在"]
                    + list(z["prefix_comparators"]) + ["了", "是", "有", "为", "达"]
                    + list(z["lookback_prefixes"]) + list(z["prefix_approximators"]))
    prefix = (_starts_guard(prefix_words)
              + rf"(?:(?P<rate>{_alt(z['rate_prefixes'])}|1日|1天)|(?P<every>每隔|每))?\s?"
              rf"(?:(?P<btw>介于|位于)|在)?\s?(?P<cmp>{_alt(z['prefix_comparators'])})?(?:了|是|有|为|达)?\s?"
              rf"(?P<lb>{_alt(z['lookback_prefixes'])})?\s?(?P<apx>{apx_pre})?\s?\Z")
    names = _lines(z["lexicon_file"]) + _lines(z["measure_names_file"])
    pair_num = r"(?:[0-9]{1,6}(?:\.[0-9]{1,6})?|[零〇一二两三四五六七八九十百千]{1,6})"
    fr_cmp = {**{w: "eq" for w in z["prefix_approximators"]}, **z["prefix_comparators"]}
    analytes = z["ratio_analytes"]
    starts = re.compile("[0-9零〇一二两三四五六七八九十百千万亿半数几]")
    core_first, core_bare = core(num_first), core(num)
    return _Grammar(
        family="zh", core=core_first, core_bare=core_bare, prefix=_EndWords(prefix, prefix_words),
        scan=_behind_class(starts, core_first), scan_bare=_behind_class(starts, core_bare),
        lexicon_span=max(len(w) for w in names), lexicon_pieces=_lexicon_pieces(names, nocase=False),
        unit_re=re.compile(unit),
        upper_start=re.compile(_alt(_upper_cmp_words(z["prefix_comparators"]))),
        pair_lower=re.compile(rf"(?P<cmp>{_alt(_lower_cmp_words(z['prefix_comparators']))})\s{{0,2}}"
                              rf"(?P<n>{pair_num})\s?(?P<u>{unit})?\s{{0,2}}(?:{_alt(z['pair_connectors'])})?\s{{0,2}}\Z"),
        past_right=re.compile(rf"\s?(?:{_alt(z['past_time_right'])})(?!后)"),
        past_event=re.compile(_alt(z["past_time_event_left"])),
        nearly_after=re.compile(rf"(?:{_alt(z['nearly_after'])})\s?\Z"),
        profile_left=re.compile(rf"(?:{_alt(z['profile_left'])})\s?(?:了|已经|已有|已|有|近|达|长达)?\s?\Z"),
        profile_right=re.compile(rf"\s?(?:{_alt(z['profile_right'])})"),
        celsius_ctx=re.compile(rf"(?:{_alt(z['celsius_context'])})[^。！？；;\n]{{0,10}}\Z"),
        people_right=re.compile(rf"\s?(?:(?P<cl>{_alt(z['people_classifiers'])})|(?=[^，。；,;\n]{{0,8}}?(?:{_alt(z['people_nouns'])})))"),
        people_left=re.compile(rf"(?:{_alt(z['people_left'])})(?:已达|达到|达|超过|约有|约为|约|有|为|已超过|突破)?\s?\Z"),
        dose_forms=frozenset(z["dose_units"]),
        dose_left=re.compile(rf"(?:{_alt(z['dose_left'])})\s?(?:约|大约)?\s?\Z"),
        fraction=re.compile(rf"(?:(?P<pre>{_alt(fr_cmp)})\s?)?(?P<w>{_alt(z['half_words'])})(?:的)?\s?"
                            rf"(?=(?:{_alt(z['half_nouns'])}))"),
        fraction_values={"words": z["half_words"], "pre": fr_cmp, "apx": set(z["prefix_approximators"])},
        fraction_anchors=("半",),
        starts=starts,
        counter_left=re.compile(rf"(?:{_alt(z['counter_left'])})\s?[:：]?\s{{0,2}}\Z"),
        age_meta=re.compile(rf"(?:{_alt(z['age_metadata_left'])})\s?[,，|｜/、:：\s]\s{{0,2}}\Z"),
        left_block=_EndWords(rf"(?:{_alt(z['blocked_left'])})\s?\Z", z["blocked_left"]),
        date=re.compile("|".join(z["date_patterns"])), date_digit=_digit_led(z["date_patterns"]),
        lexicon=re.compile(_alt(names)),
        analyte=re.compile(rf"{_first_guard(analytes, ())}(?<![A-Za-z])(?P<a>{_alt(analytes)})(?:\s?[（(][^()（）\n]{{0,12}}[)）])?\s?"
                           rf"(?:[^\n。，,；;:：]{{0,4}}?(?:在|为|是|于|:))?\s?"
                           rf"(?:{_alt(z['prefix_comparators'])})?\s?-?\Z"),
        analyte_units=analytes, prefix_cmp=z["prefix_comparators"], suffix_cmp=z["suffix_comparators"],
        suffix_apx=set(z["suffix_approximators"]), rate_prefix={**z["rate_prefixes"], "1日": "day", "1天": "day"},
        rate_suffix=z["rate_suffixes"], blocked_right={k: tuple(v) for k, v in z["blocked_right"].items()},
        blocked_left_chars=z["blocked_left_chars"], classifiers=set(z["classifiers"]),
        between_conn=set(z["between_connectors"]), vague_words={"数", "几"}, prefix_units={},
        persistence=re.compile(rf"\s?(?:{_alt(z['persistence_suffixes'])})"),
        per_minute=re.compile(rf"(?P<w>{_alt(z['per_minute_measures'])})[^，。；;,\n]{{0,16}}\Z"),
        per_minute_units=z["per_minute_measures"],
        analyte_tail=_tails(list(analytes) + list(z["prefix_comparators"])
                            + ["为", "是", "在", "于", ":", ")", "）", "="]))


def _en_grammar() -> _Grammar:
    e = load_yaml("quantities", "en.yaml")
    n = e["numerals"]
    ones, tens = _alt(n["ones"]), _alt(n["tens"])
    word = rf"(?:(?:{tens})(?:[\s\-](?:{ones}))?|(?:{ones}))"
    words = (rf"{word}(?:\s(?:hundred|thousand|million)(?:\s(?:and\s)?{word})?){{0,2}}"
             rf"(?:\sand\sa\shalf)?")
    vague = _alt(e["vague_words"])
    articles = _alt(n["articles"])
    arabic = (r"[0-9]{1,3}(?:,[0-9]{3}(?![0-9])){1,4}(?:\.[0-9]{1,8})?"
              r"|[0-9]{1,12}(?:\.[0-9]{1,8})?|\.[0-9]{1,8}")
    wordnum = rf"(?<![A-Za-z])(?i:{vague}|{articles}|{words})(?![A-Za-z])"
    unit = _unit_regex("en")
    side = r"(?P<ux{i}>[ \t]?-[ \t]?|[ \t]{{0,2}})(?P<u{i}>{unit})"
    conn = r"(?:\s{0,2}(?:-|–|—|~)\s{0,2}|\s{1,3}(?i:to|and|or)\s{1,3})"
    rate_words = {w: p for p, ws in e["rate_words"].items() for w in ws}
    rate_join = r"(?:\s?/\s?|\s{1,3}(?i:per|a|an|each|every)\s{1,3})"
    long_rates_words = [w for w in rate_words if len(w) > 2]
    rate = (rf"(?:{rate_join}(?P<rw>{_ialt(long_rates_words)}|d|h|hr|wk|yr|min)(?![A-Za-z])"
            rf"|\s{{1,3}}(?P<rw2>(?i:daily|nightly|weekly|monthly|yearly|annually|hourly))(?![A-Za-z]))")
    suffix_words = list(e["suffix_comparators"]) + e["suffix_approximators"]
    apx_words = e["prefix_approximators"]
    num = rf"(?:{arabic}|{wordnum})"
    # number words only match when a unit, a connector or a rate/fold word follows
    num_first = (rf"(?:{arabic}|{wordnum}(?=[ \t]?-?[ \t]{{0,2}}(?:{unit})|{conn}"
                 rf"|\s{{1,3}}(?i:a|an|per|each|every|as)\s|\s{{1,3}}(?i:daily|nightly|weekly|monthly)(?![A-Za-z])))")

    def core(first: str) -> re.Pattern:
        return re.compile(
            rf"(?P<whole>(?P<n1>{first})(?P<bp>/[0-9]{{2,3}}(?=\s?mmHg))?(?:{side.format(i=1, unit=unit)})?"
            rf"(?P<ah>\s(?i:and\s(?:a\s)?half))?"
            rf"(?:(?P<c>{conn})(?P<a2>{_ialt(apx_words)}\s)?(?P<n2>{num})(?:{side.format(i=2, unit=unit)})?)?"
            rf"(?P<rate>{rate})?(?P<suf>\s?{_ialt(suffix_words)}(?![A-Za-z]))?)")
    prefix_words = (["every", "between", "from"] + list(e["prefix_units"]) + list(e["prefix_comparators"])
                    + list(apx_words))
    prefix = (_starts_guard(prefix_words, nocase=True)
              + rf"(?:(?<![A-Za-z])|(?=[<>≤≥=~≈]))(?:(?P<every>(?i:every))\s{{1,3}})?(?:(?P<btw>(?i:between|from))\s{{1,3}})?"
              rf"(?:(?P<pu>{_ialt(e['prefix_units'])})\s{{1,3}})?"
              rf"(?:(?P<cmp>{_ialt(e['prefix_comparators'])})\s{{0,3}})?"
              rf"(?:(?P<pu2>{_ialt(e['prefix_units'])})\s{{1,3}})?(?:(?P<apx>{_ialt(apx_words)})\s{{0,3}})?\Z")
    analytes = e["ratio_analytes"]
    measures = _lines("measure_names.txt")
    pair_num = r"(?:[0-9]{1,6}(?:\.[0-9]{1,6})?)"
    fr_cmp = {**{w: "eq" for w in e["prefix_approximators"]}, **e["prefix_comparators"]}
    fr_words = e["fraction_words"]
    rate_suffix = {w: p for w, p in rate_words.items()}
    rate_suffix.update({"daily": "day", "nightly": "day", "weekly": "week", "monthly": "month",
                        "yearly": "year", "annually": "year", "hourly": "hour"})
    word_entries = list(e["vague_words"]) + list(n["articles"]) + list(n["ones"]) + list(n["tens"])
    word_at, word_after = _en_word_starts(word_entries)
    return _Grammar(
        family="en", core=core(num_first), core_bare=core(num), prefix=_EndWords(prefix, prefix_words, nocase=True),
        starts=re.compile(r"[0-9.](?:(?<=[0-9])|(?=[0-9]))"),  # number words: word_at / word_after
        strays=re.compile(f"[{re.escape(_all_strays())}]"),
        word_at=word_at, word_after=word_after, word_after_lower=_en_word_starts_lower(word_entries),
        left_block=_EndWords(rf"(?<![A-Za-z]){_ialt(e['blocked_left_words'])}\s{{0,2}}\Z",
                             e["blocked_left_words"], nocase=True),
        date=re.compile("|".join(e["date_patterns"])), date_digit=_digit_led(e["date_patterns"]),
        lexicon=re.compile(rf"{_ialt(measures)}"), lexicon_span=max(len(w) for w in measures),
        lexicon_pieces=_lexicon_pieces(measures, nocase=True),
        unit_re=re.compile(unit),
        upper_start=re.compile(rf"{_ialt(_upper_cmp_words(e['prefix_comparators']))}"),
        pair_lower=re.compile(rf"(?<![A-Za-z])(?P<cmp>{_ialt(_lower_cmp_words(e['prefix_comparators']))})\s{{0,2}}"
                              rf"(?P<n>{pair_num})(?:[ \t]?-?[ \t]{{0,2}}(?P<u>{unit}))?\s{{0,2}}"
                              rf"(?:{_ialt(e['pair_connectors'])})?\s{{0,2}}\Z"),
        fraction=re.compile(rf"(?<![A-Za-z])(?:(?P<pre>{_ialt(fr_cmp)})\s{{1,2}})?(?P<w>{_ialt(fr_words)})\s{{1,2}}"
                            rf"(?i:of)\s{{1,2}}(?:(?i:the|all|these|those|our|us)\s{{1,2}})?"
                            rf"(?:[A-Za-z\-]{{1,20}}\s{{1,2}}){{0,2}}(?={_ialt(e['fraction_nouns'])}(?![A-Za-z]))"),
        fraction_values={"words": {k.lower(): v for k, v in fr_words.items()},
                         "pre": {k.lower(): v for k, v in fr_cmp.items()},
                         "apx": {w.lower() for w in e["prefix_approximators"]}},
        fraction_anchors=("alf", "hird", "uarter", "ifth"),
        people_right=re.compile(rf"(?:\s(?P<sc>{_ialt(e['people_scales'])}))?\s(?:[A-Za-z\-]{{1,20}}\s){{0,2}}?"
                                rf"(?:{_alt(e['people_nouns'])})(?![A-Za-z])"),
        people_scales={k.lower(): float(v) for k, v in e["people_scales"].items()},
        one_in=re.compile(rf"(?<![\w.,])(?:(?P<pre>{_ialt(fr_cmp)})\s{{1,2}})?(?P<w>(?P<a>[1-9]|(?i:one))\s{{1,2}}in\s{{1,2}}"
                          rf"(?P<b>[1-9][0-9]{{0,2}}(?:,[0-9]{{3}})?|{_ialt(list(n['ones']) + list(n['tens']))}))\s{{1,2}}"
                          rf"(?:[A-Za-z\-]{{1,20}}\s{{1,2}}){{0,2}}?"
                          rf"(?={_ialt(e['fraction_nouns'] + e['people_nouns'])}(?![A-Za-z]))"),
        analyte=re.compile(rf"{_first_guard(analytes, ())}(?<![A-Za-z])(?P<a>{_alt(analytes)})(?:\s?\([^()\n]{{0,24}}\))?\s?"
                           rf"(?:of|was|is|:|=|{_alt(['<', '>', '≤', '≥', '<=', '>='])}|{_ialt(e['prefix_comparators'])})?\s?-?\Z"),
        analyte_units=analytes, prefix_cmp={k.lower(): v for k, v in e["prefix_comparators"].items()},
        suffix_cmp={k.lower(): v for k, v in e["suffix_comparators"].items()},
        suffix_apx=set(e["suffix_approximators"]), rate_prefix={}, rate_suffix=rate_suffix,
        blocked_right={k: [w.lower() for w in v] for k, v in e["blocked_right"].items()},
        blocked_left_chars="A-Za-z0-9_@/#$£€.", classifiers=set(),
        between_conn={"and"}, vague_words=set(e["vague_words"]),
        prefix_units=e["prefix_units"],
        analyte_tail=_tails(list(analytes) + list(e["prefix_comparators"]) + list(e["prefix_units"])
                            + ["of", "was", "is", ":", ")", "="]),
        age_meta=re.compile(rf"(?<![A-Za-z]){_ialt(e['age_metadata_left'])}\s?[,|/:]?\s{{1,2}}\Z"),
        prefix_unit_re=re.compile(rf"(?<![A-Za-z]){_ialt(e['prefix_units'])}\s{{1,3}}\Z"),
        age_left=re.compile(rf"(?<![A-Za-z]){_ialt(e['age_nouns'])},?[ \t]{{1,2}}"
                            rf"(?:{_ialt(e['age_joiners'])}[ \t]{{1,2}})?"
                            rf"(?:(?P<cmp>{_ialt(e['age_prefix_comparators'])})[ \t]{{1,2}})?\Z"),
        age_prefix=frozenset(w.lower() for w in e["age_prefix_comparators"]),
        age_suffix=frozenset(w.lower() for w in e["age_suffix_comparators"]),
        age_right=re.compile(rf"[ \t]{{1,2}}{_ialt(e['age_blocked_right'])}(?![A-Za-z])|[A-Za-z0-9%\-/]"),
        age_max=float(e["age_max"]),
        article_left=re.compile(rf"(?<![A-Za-z]){_ialt(e['article_left_words'])}\s{{1,2}}\Z"))


def _behind_class(starts: re.Pattern, core: re.Pattern) -> re.Pattern:
    """``core`` tried only where the one-character class ``starts`` matches, as one search: the
    engine skips in C to each character of the class, re-reads it (lookbehind) and matches
    ``core`` from it (lookahead). The match is that one character; the quantity is group
    ``whole``, with every group of ``core``. The same matches as ``core.match`` at each place
    ``starts`` finds, in order, without a Python step per place."""
    if not re.fullmatch(r"\[[^\]]*\]", starts.pattern):
        raise ValueError(f"not one character class: {starts.pattern!r}")
    return re.compile(rf"{starts.pattern}(?<=(?={core.pattern})(?s:.))")


def _en_word_starts(entries) -> tuple[re.Pattern, re.Pattern]:
    """Where an English number word can begin: the first word of an entry (one, twenty, a,
    several …) at a word start. Returns (at, after): ``at`` matches at a known word start,
    ``after`` finds the character before one.

    ``after`` opens with one character class (any non-letter), so the regex engine skips letters
    in C; the full grammar then runs only at real word numbers instead of at every position. The
    first letter of each group is tested case-insensitively (K, ſ fold to k, s), as in the grammar."""
    by_first: dict[str, set[str]] = {}
    for entry in entries:
        tok = re.match(r"[A-Za-z]*", entry).group().lower()
        if not tok or entry[len(tok):len(tok) + 1].isalpha():
            raise ValueError(f"number word must start with ASCII letters: {entry!r}")
        by_first.setdefault(tok[0], set()).add(tok[1:])
    strays = ascii_case_strays()
    words = "|".join(rf"[{c}{c.upper()}{strays.get(c, '')}](?i:{_alt(tails)})"
                     for c, tails in sorted(by_first.items()))
    word = rf"(?:{words})(?![A-Za-z])"
    return re.compile(word), re.compile(rf"[^A-Za-z](?={word})")


def _en_word_starts_lower(entries) -> re.Pattern:
    """``word_after`` for the letters view (see _letters_view): plain lower-case letters
    throughout, so the engine rejects most words on a literal test instead of trying
    case-insensitive alternatives, and it opens with a literal space, which the engine skips to
    far faster than to a character class (same positions: see _word_anchors)."""
    toks = {re.match(r"[A-Za-z]*", w).group().lower() for w in entries}
    by_first: dict[str, set[str]] = {}
    for tok in toks:
        by_first.setdefault(tok[0], set()).add(tok[1:])
    words = "|".join(f"{c}(?:{_alt(tails)})" for c, tails in sorted(by_first.items()))
    return re.compile(rf" (?=(?:{words})(?![a-z]))".encode("ascii"))


# ASCII letters to lower case, every other byte to a space (see _letters_view)
_LETTER_BYTES = bytes(c | 0x20 if chr(c).isascii() and chr(c).isalpha() else 0x20 for c in range(256))


def _letters_view(seg: str) -> bytes:
    """seg with its ASCII letters lower-cased and every other character a space, one byte for one
    character (each non-ASCII character is encoded as one "?" first)."""
    return seg.encode("ascii", "replace").translate(_LETTER_BYTES)


_LEXICON_PIECE = 6  # a span's first characters, looked up among the entries' pieces


def _lexicon_pieces(words, nocase: bool) -> frozenset | None:
    """Every substring of up to _LEXICON_PIECE characters of the entries (lower-cased when
    ``nocase``): a span can lie inside an entry only if its start is one of them. None when the
    pre-test could be wrong (a case-folded entry with non-ASCII cased letters)."""
    if nocase:
        if any(not c.isascii() and c.lower() != c.upper() for w in words for c in w):
            return None
        words = [w.lower() for w in words]
    return frozenset(w[i:i + k] for w in words for i in range(len(w))
                     for k in range(1, _LEXICON_PIECE + 1) if i + k <= len(w))


def _tails(words) -> frozenset:
    """Last characters of words (both cases), for a cheap test before a backward regex search."""
    return frozenset(c for w in words for c in (w[-1], w[-1].lower(), w[-1].upper()))


@lru_cache(maxsize=None)
def _grammar(family: str) -> _Grammar:
    return _zh_grammar() if family == "zh" else _en_grammar()


# --------------------------------------------------------------------------- token values
@dataclass
class _Num:
    low: float | None
    high: float | None
    vague: bool = False
    unit: str = ""  # implicit unit carried by the number itself (百分之, twice)
    is_article: bool = False
    chinese_one: bool = False
    is_adverb: bool = False


_CONSEC = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])([十百千万]?)")


# An Arabic number token (3, 2.5, 12,580): most tokens are these, and they need no Chinese parsing.
_PLAIN_NUM = re.compile(r"[0-9]+(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _zh_num(tok: str) -> _Num | None:
    if _PLAIN_NUM.fullmatch(tok):  # fast path, same value as _zh_number's Arabic branch
        v = float(tok.replace(",", ""))
        return _Num(v, v)
    digits = _zh_tables()[0]
    if tok.startswith(("数", "几")) or tok.endswith("几"):
        return _Num(None, None, vague=True)
    if tok.startswith("百分之"):
        v = _zh_number(_one_led(tok[3:]))
        return None if v is None else _Num(v, v, unit="percent")
    if "分之" in tok:
        v = _zh_number(tok)
        return None if v is None else _Num(v * 100, v * 100, unit="percent")
    if tok == "半":
        return _Num(0.5, 0.5)
    m = _CONSEC.fullmatch(tok)
    if m:
        a, b = digits[m.group(1)], digits[m.group(2)]
        if b == a + 1 or (a == 1 and m.group(2) == "两"):
            scale = _zh_int("一" + m.group(3)) if m.group(3) else 1
            return _Num(a * scale, b * scale)
        return None
    v = _zh_number(tok)
    if v is None:
        return None
    return _Num(v, v, chinese_one=tok in ("一",))


@lru_cache(maxsize=None)
def _en_vague() -> frozenset:
    return frozenset(w.lower() for w in _grammar("en").vague_words)


def _en_num(tok: str) -> _Num | None:
    if tok[0].isdigit() or tok[0] == ".":  # the common case first: no word can start with these
        v = float(tok.replace(",", ""))
        return _Num(v, v)
    t = tok.lower()
    e = _en_tables()
    if t in _en_vague():
        return _Num(None, None, vague=True)
    if t in e["adverbs"]:
        v = float(e["adverbs"][t])
        return _Num(v, v, unit="count", is_adverb=True)
    if t in e["articles"]:
        v = float(e["articles"][t])
        return _Num(v, v, is_article=t.split()[0] in ("a", "an", "couple"))
    if t[0].isdigit() or t[0] == ".":
        v = float(t.replace(",", ""))
        return _Num(v, v)
    v = _en_words(t)
    return None if v is None else _Num(v, v)


# --------------------------------------------------------------------------- scanning
def find_quantities(text: str, lang: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Quantities with units in ``text[start:end]`` (absolute offsets, sorted, non-overlapping)."""
    return _scan(text, lang, start, end, keep_bare=False)


def find_numbers(text: str, lang: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Like :func:`find_quantities` but also numbers without a unit (``unit == ""``); the claim
    extractor does not use these, the peer-spec tests do."""
    return _scan(text, lang, start, end, keep_bare=True)


def _scan(text: str, lang: str, start: int, end: int | None, keep_bare: bool) -> list[Quantity]:
    if not isinstance(text, str) or not text:
        return []
    n = len(text)
    end = n if end is None else max(0, min(end, n))
    start = max(0, min(start, end))
    if start >= end:
        return []
    family = _family(lang)
    g = _grammar(family)
    lo, hi = max(0, start - _CTX), min(n, end + _CTX)
    out: list[Quantity] = []
    pos, stop, last_end = start - lo, end - lo, start - lo
    view = _view(text, g, lo, hi)
    next_match = _match_finder(view, g, pos, stop, keep_bare)
    zh = family == "zh"
    while (m := next_match(pos, stop)) is not None:  # the next match after what was read
        if not keep_bare and m.group("u1", "u2") == (None, None):
            resume = _bare_resume(m, view, g, zh, last_end)
            if resume is not None:  # the common bare number: no claim, decided before any parsing
                pos = resume
                continue
        try:
            qs = _build(m, view, g, last_end, keep_bare, lo, stop)
        except (ValueError, OverflowError, ZeroDivisionError):
            qs = None
        if qs:
            if len(qs) == 1 and qs[0].comparator in ("lt", "le"):
                qs = [_pair(view, qs[0], out, lo, g, last_end)]
            out.extend(qs)
            # (an end clipped to stop: every anchor lies before stop, so none is skipped wrongly)
            last_end = pos = max(m.end("whole"), qs[-1].end - lo)
        else:
            pos = max(m.end("n1"), m.start() + 1)
    extra = [] if keep_bare else _genre_rows(view, start - lo, stop, g)
    if extra:
        extra = [Quantity(q.start + lo, q.end + lo, q.value_low, q.value_high, q.unit, q.comparator,
                          q.vague, q.approx, q.rate_period) for q in extra]
        out = _replace_overlapped(out, extra)
    return out


def _bare_resume(m: re.Match, view: str, g: _Grammar, zh: bool, floor: int) -> int | None:
    """Where the scan resumes after a number without a unit that no rule can make a claim, or None
    when it may be one (an implicit unit, a threshold, a genre rule). A number with no comparator,
    analyte or ')' right before it is passed whole; one that only looked like a threshold is passed
    up to its end, so that a range's second number is still tried on its own."""
    s1 = m.start()  # (the match begins with its first number)
    if _implicit_unit(m.group("n1"), zh) or _bare_extra(m, view, g):
        return None
    if not _ratio_tail(view, s1, g):
        return m.end("whole")
    if _ratio_context(view, s1, g) or _pair_context(view, s1, g, floor):
        return None
    return max(m.end("n1"), s1 + 1)


def _view(text: str, g: _Grammar, lo: int, hi: int) -> str:
    """The folded view of text[lo:hi]: one scan in C tells whether anything needs folding."""
    # zh: a window of the text's view (not the view of the window), so every window of one page
    # reads the same characters and the page is converted once
    seg = simplified_view(text)[lo:hi] if g.family == "zh" else text[lo:hi]
    if not seg.isascii() and _FOLD_RE.search(seg):  # (every folded character is non-ASCII)
        seg = _fold(seg)
    return seg


def _match_finder(view: str, g: _Grammar, a: int, b: int,
                  keep_bare: bool) -> Callable[[int, int], re.Match | None]:
    """``finder(pos, stop)``: the grammar's first match in view[pos:stop] (pos ≥ a, stop = b),
    tried only where a number can begin; None when there is none. The quantity is group
    ``whole``. One search in C where those places are one character class (zh); else a walk
    over the places found up front (en: digits, and number words found on another view)."""
    scan = g.scan_bare if keep_bare else g.scan
    if scan is not None:
        return partial(scan.search, view)
    return _AnchorWalk(view, _anchors(view, g, a, b), (g.core_bare if keep_bare else g.core).match)


class _AnchorWalk:
    """The first match at or after ``pos`` of ``match`` tried at each anchor in turn (anchors
    before ``pos`` lie inside what was read already and are passed over)."""

    __slots__ = ("view", "anchors", "match", "i")

    def __init__(self, view: str, anchors: list[int], match: Callable[..., re.Match | None]):
        self.view, self.anchors, self.match, self.i = view, anchors, match, 0

    def __call__(self, pos: int, stop: int) -> re.Match | None:
        anchors, i = self.anchors, self.i
        while i < len(anchors):
            anchor = anchors[i]
            i += 1
            if anchor >= pos:
                m = self.match(self.view, anchor, stop)
                if m is not None:
                    self.i = i
                    return m
        self.i = i
        return None


def _anchors(seg: str, g: _Grammar, a: int, b: int) -> list[int]:
    """In order, every position in [a, b) where a number can begin (a superset: the grammar
    decides): scans in C for the digit anchors and for the number-word anchors (en; zh finds its
    matches with one search, see _match_finder)."""
    anchors = _digit_anchors(seg, a, b)
    words = _word_anchors(seg, g, a, b)
    if words:
        anchors = sorted(anchors + words) if anchors else words
    return anchors


# ASCII digits to "0" and "." kept, every other byte to a space (see _digit_anchors)
_DIGIT_BYTES = bytes(0x30 if chr(c).isascii() and chr(c).isdigit() else c if c == 0x2E else 0x20
                     for c in range(256))
_ZERO = re.compile(b"0")
_DOT_ZERO = re.compile(rb"\.(?=0)")


def _digit_anchors(seg: str, a: int, b: int) -> list[int]:
    """The matches of en's ``starts`` in seg[a:b] (a digit, or a "." before one), found on a view
    with one byte per character where every digit is "0": a search for one literal byte runs
    several times faster than one for a class (which the engine tests at every character)."""
    view = seg.encode("ascii", "replace").translate(_DIGIT_BYTES)
    digits = [m.start() for m in _ZERO.finditer(view, a, b)]
    if not digits:
        return digits
    dots = [m.start() for m in _DOT_ZERO.finditer(view, a, b)]
    return sorted(digits + dots) if dots else digits


def _word_anchors(seg: str, g: _Grammar, a: int, b: int) -> list[int]:
    """Where a number word can begin in seg[a:b] (en). Searched on the letters view when it keeps
    the matches: it does unless seg holds a non-ASCII letter that case-insensitive matching
    equates with an ASCII one (K ſ İ ı, the only ones): every other non-ASCII character is, like
    a space, no letter of a word, and ASCII letters match case-insensitively only themselves."""
    lo = max(a - 1, 0)
    if seg.isascii() or not g.strays.search(seg):
        words = [m.start() + 1 for m in g.word_after_lower.finditer(_letters_view(seg), lo, b)]
    else:
        words = [m.start() + 1 for m in g.word_after.finditer(seg, lo, b)]
    if a == 0 and g.word_at.match(seg, 0, b):
        words.insert(0, 0)
    return words


def _replace_overlapped(out: list[Quantity], extra: list[Quantity]) -> list[Quantity]:
    """Drop the rows that overlap a genre-rule row, add the genre rows that carry a unit (sorted, O(n log n))."""
    extra.sort(key=lambda q: (q.start, q.end))
    starts = [x.start for x in extra]
    max_len = max(x.end - x.start for x in extra)
    kept = []
    for q in out:
        i = bisect.bisect_left(starts, q.end) - 1
        hit = False
        while i >= 0 and extra[i].start >= q.start - max_len:
            if extra[i].end > q.start:
                hit = True
                break
            i -= 1
        if not hit:
            kept.append(q)
    return sorted(kept + [x for x in extra if x.unit], key=lambda q: (q.start, q.end))


# --------------------------------------------------------------------------- genre rules
_SD_MARKS = ("±", "+/-")  # what joins a mean to its SD (see _mean_sd)


def _genre_rows(view: str, a: int, b: int, g: _Grammar) -> list[Quantity]:
    """The rows of the genre rules (mean±SD, fractions of people, one in N) inside view[a:b].
    Most documents hold none of the marks the first two rules start from: a plain substring test
    for them anywhere in the view (the rules themselves look only inside [a, b)) skips both."""
    rows = []
    if _holds_any(view, g.genre_marks):
        rows = _mean_sd(view, a, b, g) + _fractions(view, a, b, g)
    if g.one_in is not None:
        rows += _one_in(view, a, b, g)
    return [q for q in rows if a <= q.start and q.end <= b] if rows else rows


def _holds_any(text: str, marks: tuple[str, ...]) -> bool:
    """Does any of ``marks`` occur in ``text``? (``in`` tests: cheaper than ``find`` calls.)"""
    for mark in marks:
        if mark in text:
            return True
    return False


def _pair(view: str, q: Quantity, out: list[Quantity], lo: int, g: _Grammar, floor: int) -> Quantity:
    """An upper bound right after a lower bound on the same measure is one range: 高于3.9且低于6.1,
    ≥3.9 且 <6.1, above 10 and below 20. (The range loses which ends were inclusive.) ``q`` and
    ``out`` are in text offsets, ``view`` is ``text[lo:]`` and ``floor`` a view offset."""
    qs = q.start - lo
    low, unit, start, approx = None, q.unit, None, q.approx
    if not g.upper_start.match(view, qs):
        return q  # the upper bound must be stated by a comparator before it (24小时内 is not one)
    prev = out[-1] if out else None
    conn = g.pair_lower
    if prev is not None and prev.comparator in ("gt", "ge") and prev.end - lo <= qs \
            and prev.rate_period == q.rate_period and prev.value_low is not None:
        gap = view[prev.end - lo:qs]
        probe = "大于0" + gap if g.family == "zh" else "above 0 " + gap.lstrip()
        if len(gap) <= 8 and conn.fullmatch(probe):
            units = {prev.unit, q.unit} - {"ratio"}
            if len(units) <= 1:
                low, unit, start, approx = prev.value_low, (units.pop() if units else "ratio"), prev.start, approx or prev.approx
                out.pop()
    if low is None:
        m = conn.search(view, max(floor, qs - 30, 0), qs)
        if m is None:
            return q
        form = m.group("u")
        if form:
            cu = _lookup_unit(form, g.family)
            if cu is None or (cu[0] != q.unit and q.unit != "ratio"):
                return q
            unit = cu[0]
        v = parse_number(m.group("n"), g.family)
        if v is None:
            return q
        low, start = v * (cu[1] if form else 1.0), m.start() + lo
    if q.value_high is None or low > q.value_high:
        if start is not None and low is not None and prev is not None and out[-1:] != [prev] and start == prev.start:
            out.append(prev)  # not a pair after all: give the lower bound back
        return q
    return Quantity(start, q.end, low, q.value_high, unit, "range", False, approx, q.rate_period)


_MEAN_LEFT = re.compile(r"(?P<open>[(（]\s?)?(?P<n>[0-9]{1,6}(?:\.[0-9]{1,6})?)\s?\Z")
_SD_RIGHT = re.compile(r"\s?(?P<sd>[0-9]{1,6}(?:\.[0-9]{1,6})?)\s?(?P<close>[)）])?[ \t]?")


def _mean_sd(view: str, a: int, b: int, g: _Grammar) -> list[Quantity]:
    """mean±SD ("(45.3±8.2)岁", "12.5 ± 3.1 mmol/L") is one claim about the mean; the SD is a
    spread, not a second claim. Without a unit only the SD claim is dropped (a unitless row)."""
    found: list[Quantity] = []
    for sym in _SD_MARKS:
        i = view.find(sym, a, b)
        while i >= 0:
            ml = _MEAN_LEFT.search(view, max(0, i - 14), i)
            mr = _SD_RIGHT.match(view, i + len(sym))
            if ml and mr and _left_ok(view, ml.start("n"), g):
                um = g.unit_re.match(view, mr.end()) if g.unit_re is not None else None
                cu = _lookup_unit(um.group(), g.family) if um else None
                if cu is not None and um.group() == "度" and not _celsius(view, ml.start("n"), g):
                    cu = None
                st = ml.start() if (ml.group("open") and mr.group("close")) else ml.start("n")
                if cu is None:
                    st = i  # no unit: keep the mean's own claim (BMI 24.5), drop only the SD side
                end = um.end() if cu else mr.end("sd")
                v = float(ml.group("n")) * (cu[1] if cu else 1.0)
                found.append(Quantity(st, end, v, v, cu[0] if cu else "", "eq"))
            i = view.find(sym, i + 1, b)
    return found


def _fractions(view: str, a: int, b: int, g: _Grammar) -> list[Quantity]:
    """一半的患者, 半数患者, half of patients, one third of adults → a percent of people."""
    if g.fraction is None:
        return []
    found: list[Quantity] = []
    seen = -1
    fv = g.fraction_values
    for anchor in g.fraction_anchors:
        i = view.find(anchor, a, b)
        while i >= 0:
            if i >= seen:
                w_end = min(len(view), i + (16 if g.family == "zh" else 60))  # the word, 的, a people noun
                m = g.fraction.search(view, max(a, i - 12), w_end)
                while m is not None and m.end("w") <= i:
                    m = g.fraction.search(view, m.end(), w_end)
                if m is not None and m.start("w") <= i < m.end("w"):
                    found.append(_fraction_q(m, fv, g))
                    seen = m.end()
            i = view.find(anchor, i + 1, b)
    return sorted(found, key=lambda q: q.start)


def _one_in(view: str, a: int, b: int, g: _Grammar) -> list[Quantity]:
    """"1 in 5 adults", "about one in three Americans" → a percent of people (20, 33.3…)."""
    if g.one_in is None:
        return []
    found: list[Quantity] = []
    seen = -1
    for hit in _ONE_IN_AT.finditer(view, a, b):
        i = hit.start()
        if i >= seen:
            m = g.one_in.search(view, max(a, i - 30), min(len(view), i + 60))
            while m is not None and m.end("w") <= i:
                m = g.one_in.search(view, m.end(), min(len(view), i + 60))
            if m is not None and m.start("w") <= i < m.end("w"):
                num, den = parse_number(m.group("a"), "en"), parse_number(m.group("b"), "en")
                if num and den and num < den:
                    pre = (m.group("pre") or "").lower() or None
                    fv = g.fraction_values
                    approx = bool(pre and pre in fv["apx"])
                    cmp = ("approx" if approx else fv["pre"].get(pre, "eq")) if pre else "eq"
                    lo_v, hi_v = _vals(cmp, 100.0 * num / den)
                    found.append(Quantity(m.start(), m.end("w"), lo_v, hi_v, "percent", cmp, False, approx, ""))
                    seen = m.end()
    return found


# " in " right after the number's last character: a digit or "one" in any case (only there can
# the rule's "1 in 5" hold it; a literal first, so the engine skips to each " in " in C).
# Overlapping occurrences (" in in ") follow an n, so none is lost.
_ONE_IN_AT = re.compile(r" in (?:(?<=[1-9] in )|(?<=[oO][nN][eE] in ))")


def _fraction_q(m: re.Match, fv: dict, g: _Grammar) -> Quantity:
    zh = g.family == "zh"
    w = m.group("w") if zh else re.sub(r"\s+", " ", m.group("w").lower())
    pre = m.group("pre") if zh else (m.group("pre") or "").lower() or None
    if zh:
        cmp, v = fv["words"][w], 50.0
    else:
        cmp, v = "eq", float(fv["words"][w])
    approx = bool(pre and pre in fv["apx"])
    if cmp == "eq" and pre:
        cmp = "approx" if approx else fv["pre"].get(pre, "eq")
    lo_v, hi_v = _vals(cmp, v)
    return Quantity(m.start(), m.end("w"), lo_v, hi_v, "percent", cmp, False, approx, "")


def _celsius(view: str, s1: int, g: _Grammar) -> bool:
    return g.celsius_ctx is not None and bool(g.celsius_ctx.search(view, max(0, s1 - 16), s1))


def _pair_context(view: str, s1: int, g: _Grammar, floor: int) -> bool:
    """A bare number after an upper comparator word that follows a lower bound (大于10小于20)."""
    if not _ratio_tail(view, s1, g) or not g.upper_start.search(view, max(floor, s1 - 12, 0), s1):
        return False  # cheap exits: no comparator word ends here, or none of them is an upper bound
    pre = g.prefix.search(view, max(floor, s1 - 24, 0), s1)
    if pre is None or not pre.group("cmp"):
        return False
    cmp = pre.group("cmp")
    if g.prefix_cmp.get(cmp if g.family == "zh" else cmp.lower()) not in ("lt", "le"):
        return False
    return bool(g.pair_lower.search(view, max(floor, pre.start() - 30, 0), pre.start()))


def _bare_extra(m: re.Match, view: str, g: _Grammar) -> bool:
    """Cheap test: can a number without a unit still be a claim by a genre rule (200万人, 2 per month)?"""
    if g.family == "zh":
        return m.group("n1")[-1] in "万亿"
    if m.group("rate") is not None or _age_context(m, view, g):
        return True
    e = m.end("n1")
    return view[e:e + 1] == " " and m.group("n2") is None and m.group("n1")[:1].isdigit() \
        and bool(g.people_right.match(view, e))


_SPACES = re.compile(r"\s+")
_DIGIT_SOON = re.compile(r"\s{0,3}[0-9]")


def _age_context(m: re.Match, view: str, g: _Grammar) -> bool:
    """An age written without its unit after a population noun: "people over 65", "women under 40",
    "adults 65 and older" (digits only, no second number, nothing count-like right after it)."""
    tok, n2, u1, rate = m.group("n1", "n2", "u1", "rate")
    if g.age_left is None or u1 is not None or rate or not tok[:1].isdigit():
        return False  # (the cheap tests first)
    if n2 is not None and not ((m.group("c") or "").strip().lower() in g.between_conn
                               and m.group("u2") is None and not n2[:1].isdigit()):
        return False  # a real range; but "over 70 and a pulse of …" is no range
    if float(tok.replace(",", "")) > g.age_max:
        return False  # smokers over 20 a day, people over 100,000: not ages
    s1 = m.start("n1")
    suf = _SPACES.sub(" ", (m.group("suf") or "").strip().lower()) if n2 is None else ""
    if suf:
        if suf not in g.age_suffix or _DIGIT_SOON.match(view, m.end("whole"), m.end("whole") + 4):
            return False  # "over 65 and under 80": the suffix words open the upper bound
    elif not _ratio_tail(view, s1, g) or g.age_right.match(view, m.end("n1")):
        return False  # cheap exit: no comparator word ends here, or a count noun follows
    left = g.age_left.search(view, max(0, s1 - 40), s1)
    if left is None:
        return False
    cmp = (left.group("cmp") or "").lower()
    return (cmp in g.age_prefix and not suf) if cmp else bool(suf)


@lru_cache(maxsize=4096)
def _blocked_left(c: str, chars: str) -> bool:
    """Is the single character ``c`` a digit or in the class ``[chars]`` (cached per character)?"""
    return c.isdigit() or re.match(f"[{chars}]", c) is not None


def _left_ok(view: str, i: int, g: _Grammar) -> bool:
    """The character before a number must not glue it to a name or code (B12, IL-6, L4, 2025-06)."""
    if i == 0:
        return True
    c = view[i - 1]
    if _blocked_left(c, g.blocked_left_chars):
        return False
    if c in "-–":
        b = view[i - 2] if i >= 2 else " "
        return b.isspace() or b in "(（:：,，;；<>≤≥=" or _signed_after_word(view, i, g)
    return True


def _signed_after_word(view: str, i: int, g: _Grammar) -> bool:
    """低于-2.5, below -1: a minus sign right after a comparator word is a sign, not a hyphen."""
    pre = g.prefix.search(view, max(0, i - 25), i - 1)
    return bool(pre and pre.group("cmp"))


def _is_signed(view: str, i: int, tok: str, g: _Grammar) -> bool:
    if i == 0 or view[i - 1] not in "-–" or not tok[:1].isdigit():
        return False
    b = view[i - 2] if i >= 2 else " "
    return b in "<>≤≥= \t(（:：,，;；" or _signed_after_word(view, i, g)


_RATIO_SYMBOL = re.compile(r"[<>≤≥=]\s{0,2}-?\Z")


def _implicit_unit(tok: str, zh: bool) -> bool:
    """The number names its own unit: 百分之三十, 三分之一, twice."""
    if zh:
        return "分之" in tok
    return tok.lower() in ("once", "twice", "thrice")


def _ratio_tail(view: str, i: int, g: _Grammar) -> bool:
    """Cheap test: can an analyte name, a comparator or ')' end right before position i?"""
    j = i - 1
    if j > 0 and view[j] in "-–":
        j -= 1  # a signed threshold: ≤-2.5
    while j >= 0 and j > i - 4 and view[j] in " \t":
        j -= 1
    return j >= 0 and view[j] in g.analyte_tail


def _ratio_context(view: str, i: int, g: _Grammar) -> bool:
    """A bare number can still be a threshold: after <, >, ≤, ≥ or a named analyte (INR 2-3)."""
    if not _ratio_tail(view, i, g):
        return False  # cheap exit: no analyte name, comparator or ')' ends right here
    return bool(_RATIO_SYMBOL.search(view, max(0, i - 4), i) or g.analyte.search(view, max(0, i - 40), i)
                or (g.prefix_unit_re is not None and g.prefix_unit_re.search(view, max(0, i - 12), i)))


def _right_blocked(view: str, pos: int, form: str, unit: str, g: _Grammar) -> bool:
    if g.family == "zh":
        return view.startswith(g.blocked_right.get(form, ()), pos)  # a tuple: any of the words
    words = g.blocked_right.get(unit)
    if not words:
        return False  # (most units have no blocked words: no need to read on)
    rest = view[pos:pos + 24].lower().lstrip(" -")
    return any(rest.startswith(w) and not rest[len(w):len(w) + 1].isalpha() for w in words)


def _in_lexicon(view: str, s: int, e: int, g: _Grammar) -> bool:
    """True when the number..unit span lies inside a name or fixed word (足三里, 一次性, 半月板)."""
    if g.lexicon is None:
        return False
    if g.lexicon_pieces is not None:
        span = view[s:e]
        if g.family != "zh":  # the English lexicon is case-insensitive
            span = span.lower() if span.isascii() else None  # (no shortcut beyond ASCII folding)
        if span is not None and span[:_LEXICON_PIECE] not in g.lexicon_pieces:
            return False  # no entry contains the span's start, so no entry can cover the span
    w = g.lexicon_span
    return any(m.start() <= s and e <= m.end()
               for m in g.lexicon.finditer(view, max(0, s - w), min(len(view), e + w)))


def _digit_led(patterns) -> re.Pattern | None:
    """The date patterns as one regex that the engine tries only at ASCII digits: a digit class
    to skip to (fast, in C), then a lookbehind that re-reads from that digit and a lookahead that
    matches the real pattern into group ``d``. Only when every pattern visibly starts with a
    digit (a leading, non-optional digit class and no top-level ``|``); else None."""
    for p in patterns:
        if not re.match(r"\[(?:[0-9]-[0-9]|[0-9])+\](?![?*]|\{0|\{,)", p) or _top_level_bar(p):
            return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"[0-9](?<=(?=(?P<d>{body})).)")


def _top_level_bar(pattern: str) -> bool:
    """Is there a ``|`` outside parentheses and character classes (so an alternative may start
    with anything)?"""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                i += 1
            if pattern[i + 1:i + 2] == "]":
                i += 1  # a leading ] is a literal
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def _is_date(view: str, s: int, e: int, g: _Grammar) -> bool:
    """Does a date or clock time (g.date, searched as ``finditer`` does) overlap view[s:e]?"""
    lo, hi = max(0, s - 10), min(len(view), e + 10)
    if g.date_digit is None:
        return any(m.start() < e and s < m.end() for m in g.date.finditer(view, lo, hi))
    while True:  # finditer's walk: each search resumes where the previous date ended
        m = g.date_digit.search(view, lo, hi)
        if m is None:
            return False
        ds, de = m.span("d")
        if ds < e and s < de:
            return True
        lo = de  # (a date is never empty)


_NO_WORDS: dict[str, str | None] = {}  # the prefix groups of a prefix without words (read only)


def _build(m: re.Match, view: str, g: _Grammar, floor: int, keep_bare: bool, lo: int,
           stop: int) -> list[Quantity] | None:
    """The quantities of one grammar match in ``view`` (``text[lo:]``), in text offsets with ends
    cut at ``stop`` (a view offset); None when the match is no claim. Unless ``keep_bare``, the
    caller has already passed over the bare numbers that cannot be claims (``_bare_resume``)."""
    zh = g.family == "zh"
    s1 = m.start("n1")
    # the groups read on every path, in one call (each call costs about as much as a short line)
    tok1, tok2, m_u1, m_u2, m_suf, m_rate, m_bp = m.group("n1", "n2", "u1", "u2", "suf", "rate", "bp")
    m_end = m.end("whole")  # (the match itself may be only the number's first character)
    n1_end = m.end("n1")
    if not _left_ok(view, s1, g):
        return None
    num1 = _zh_num(tok1) if zh else _en_num(tok1)
    if num1 is None:
        return None
    # ---- the range part, when it is a real range
    has_range = tok2 is not None
    signed = _is_signed(view, s1, tok1, g)
    pre = g.prefix.search(view, max(floor, s1 - 24, 0), s1 - 1 if signed else s1)
    if pre is None or pre.start() < floor:
        pre = None
    # the prefix words (groups differ by language); mostly there are none
    pg = pre.groupdict() if pre is not None and pre.lastindex is not None else _NO_WORDS
    between = bool(pg.get("btw"))
    if has_range:
        conn = (m.group("c") or "").strip().lower()
        if conn in g.between_conn and not between and not (zh and conn in "和与" and m_suf):
            has_range = False
    num2 = None
    if has_range:
        num2 = _zh_num(tok2) if zh else _en_num(tok2)
        if num2 is None:
            has_range = False
    # ---- end of the quantity and the unit forms
    if has_range:
        end = m_end
        u1, u2 = m_u1, m_u2
    else:
        u1, u2 = m_u1, None
        if tok2 is not None:  # cut the false range off after the first number's side
            names = ("n1", "m1", "g1", "h1", "mb1", "u1", "hb1", "mc1") if zh else ("n1", "u1", "ah")
            end = max(m.end(k) for k in names if m.group(k) is not None)
        else:
            end = m_end
    unit_end = m.end("u2") if (has_range and u2) else (m.end("u1") if u1 else (m.end("n2") if has_range else n1_end))
    units = []
    for i, form in ((1, u1), (2, u2)):
        if form:
            cu = _lookup_unit(form, g.family)
            if cu is None:
                return None
            units.append((i, form, cu))
    for i, form, cu in units:
        if form == "度" and view[max(0, s1 - 2):s1] == "华氏":
            units[units.index((i, form, cu))] = (i, form, ("fahrenheit", 1.0))  # 华氏101度
        elif form == "度" and not _celsius(view, s1, g):
            return None  # 近视300度, 2度烧伤: not a temperature
        if form in g.dose_forms and not (g.dose_left.search(view, max(0, s1 - 8), s1) or (
                (pre0 := g.prefix.search(view, max(0, s1 - 24), s1)) and g.dose_left.search(view, max(0, pre0.start() - 8), pre0.end()))):
            return None  # 3片叶子: a dose form counts only after a dosing word (每次1片)
    # ---- zh shape rules
    vague = num1.vague or bool(num2 and num2.vague)
    if zh:
        if any(m.group("m1", "mb1", "mc1")) or (has_range and any(m.group("m2", "mb2", "mc2"))):
            vague = True
        for i, form, cu in units:
            if form == "月" and not (m.group(f"g{i}") or (i == 1 and tok1 in ("数", "半"))
                                    or (i == 2 and tok2 in ("数", "半"))):
                return None
    # ---- unit and values
    time_s = _time_seconds()
    implicit = num1.unit or (num2.unit if num2 else "")
    if units:
        i, form, (unit, factor) = units[-1]
    else:
        form, unit, factor = "", implicit, 1.0
    lo_v, hi_v = num1.low, num1.high
    if zh and any(m.group("h1", "hb1")):
        lo_v = None if lo_v is None else lo_v + 0.5
        hi_v = None if hi_v is None else hi_v + 0.5
    if not zh and m.group("ah") and lo_v is not None:
        lo_v, hi_v = lo_v + 0.5, hi_v + 0.5
    if has_range and num2 is not None:
        lo2, hi2 = num2.low, num2.high
        if zh and (m.group("h2") or m.group("hb2")) and lo2 is not None:
            lo2, hi2 = lo2 + 0.5, hi2 + 0.5
        if len(units) == 2 and units[0][2][0] != units[1][2][0]:
            (ua, fa), (ub, fb) = units[0][2], units[1][2]
            th = time_s
            if ua not in th or ub not in th:
                return None  # 3kg-5cm is not a range
            if lo_v is not None:  # 30分钟到1小时: the low end in the high end's unit
                lo_v = float(format(lo_v * fa * th[ua] / th[ub] / fb, ".12g"))
        hi_v = hi2
        if lo_v is not None and hi_v is not None and lo_v > hi_v:
            lo_v, hi_v = hi_v, lo_v
    if lo_v is not None:
        lo_v *= factor
    if hi_v is not None:
        hi_v *= factor
    if signed and not has_range:
        lo_v, hi_v = (None if hi_v is None else -hi_v), (None if lo_v is None else -lo_v)
    # ---- prefix words
    cmp_word = pg.get("cmp")
    apx_word = pg.get("apx")
    rate = ""
    if pg.get("rate"):
        rate = g.rate_prefix.get(pg["rate"], "")
    every = bool(pg.get("every"))
    prefix_unit = pg.get("pu") or pg.get("pu2")
    lb_word = pg.get("lb")
    lookback = bool(lb_word) and unit in time_s and not (
        lb_word == "近" and g.nearly_after.search(view, max(0, pre.start("lb") - 6), pre.start("lb")))
    if lb_word and not lookback and lb_word in g.suffix_apx | {"近"} and not apx_word:
        apx_word = lb_word  # 近八成: "nearly" before anything but a time unit
    if not unit and prefix_unit:
        unit = g.prefix_units.get(prefix_unit.lower(), "")
    # ---- negatives around the number
    s_num, e_num = s1, unit_end
    if g.left_block.search(view, max(0, s1 - 8), s1):
        return None  # 第3天, 分为2组, 腰5, step 2
    if _is_date(view, s_num, max(e_num, n1_end + 1), g):
        return None
    if (zh or unit in time_s or unit == "g") and _in_lexicon(view, s_num, e_num, g):
        return None
    if form and _right_blocked(view, unit_end, form, unit, g):
        return None
    if zh and unit in time_s and g.past_right.match(view, unit_end) \
            and not g.past_event.search(view, max(0, s1 - 6), s1):
        return None  # 3天前: a point in the past, not a duration
    if zh and unit == "year" and (g.profile_right.match(view, m_end) or g.profile_left.search(
            view, max(0, (pre.start() if pre is not None and pre.group(0).strip() else s1) - 10),
            pre.start() if pre is not None and pre.group(0).strip() else s1)):
        return None  # 从医20年, 20年临床经验: a doctor's biography
    if not zh and form and unit == "fold" and form in ("x", "×") and re.match(r"\s*[0-9]", view[unit_end:unit_end + 3]):
        return None
    if unit == "age_years" and not (cmp_word or apx_word or m_suf) and g.age_meta is not None \
            and g.age_meta.search(view, max(0, s1 - 10), s1):
        return None  # asker profile: 女 | 28岁
    if unit == "count" and g.counter_left is not None and g.counter_left.search(view, max(0, s1 - 8), s1):
        return None  # 浏览 12,580 次: a page counter
    if zh and unit == "count" and num1.chinese_one and not has_range and not rate:
        return None
    if zh and unit in ("day", "week") and lo_v == 1 and not has_range and not cmp_word and not apx_word \
            and re.match(r"\s?[0-9一二两三四五六七八九十~\-至到]{1,6}\s?次", view[m_end:m_end + 9]):
        return None  # 1日3次 / 一日三次: the day is the rate period of the next quantity
    if num1.is_article and not (cmp_word or apx_word or every or (g.article_left and g.article_left.search(
            view, max(0, (pre.start() if pre else s1) - 16), pre.start() if pre and pre.group(0).strip() else s1))):
        return None
    # ---- the bare number: only a ratio after a threshold comparator or a named analyte
    people_end = None
    if not unit:
        if num1.is_article or vague:
            return None
        an = g.analyte.search(view, max(0, s1 - 40), s1)
        analyte_unit = g.analyte_units.get(an.group("a")) if an else None
        symbol_cmp = cmp_word in ("<", ">", "≤", "≥", "<=", ">=", "=<", "=>")
        if keep_bare:
            unit = ""
        elif analyte_unit:
            unit = analyte_unit
        elif not zh and _age_context(m, view, g):
            unit = "age_years"  # people over 65, adults 65 and older
        elif symbol_cmp and tok1[0].isdigit():
            head = view[max(0, pre.start() - 3):pre.start()]
            if re.search(r"(?<![A-Za-z])[PpNnr]\s?\Z", head):
                return None  # P<0.05, n>30: statistics, not claims
            unit = "ratio"
        elif zh and tok1[-1] in "万亿" and not has_range and not every and not pg.get("rate") \
                and view[max(0, s1 - 1):s1] != "每" and ((pm := g.people_right.match(view, n1_end))
                                                      or g.people_left.search(view, max(0, s1 - 12), s1)):
            unit = "count"  # 200万名, 2.7亿人, 患者已达2.45亿: population-scale counts of people
            people_end = pm.end("cl") if pm and pm.group("cl") else n1_end
        elif not zh and m_rate and not has_range and not num1.is_article and not vague:
            unit = "count"  # 2 per month
        elif not zh and not has_range and tok1[0].isdigit() and (pm := g.people_right.match(view, n1_end)) \
                and lo_v is not None and lo_v * g.people_scales.get((pm.group("sc") or "").lower(), 1.0) >= 10000:
            scale = g.people_scales.get((pm.group("sc") or "").lower(), 1.0)
            lo_v, hi_v, unit = lo_v * scale, hi_v * scale, "count"  # 37 million Americans
            people_end = pm.end("sc") if pm.group("sc") else n1_end
        elif cmp_word and g.prefix_cmp.get(cmp_word if zh else cmp_word.lower()) in ("lt", "le") \
                and g.pair_lower.search(view, max(floor, (pre.start() if pre else s1) - 30, 0), pre.start() if pre else s1):
            unit = "ratio"  # 大于10小于20: the upper bound of a pair (merged in _scan)
        else:
            return None
        nxt = view[m_end:m_end + 1]
        if unit and unit != "count" and (nxt in g.classifiers or (nxt.isalpha() and nxt.isascii())):
            return None
    if not keep_bare and not unit:
        return None
    # ---- rate suffix
    if m_rate and (has_range or tok2 is None):
        if zh:
            rate = g.rate_suffix.get(m_rate, rate)
        else:
            rw = (m.group("rw") or m.group("rw2") or "").lower()
            rate = g.rate_suffix.get(rw, rate)
    if num1.is_adverb and not rate:
        if re.match(r"\s+as\s", view[m_end:m_end + 4]) and not has_range:
            unit = "fold"
        elif not (cmp_word or apx_word):
            return None
    # ---- comparator
    suf = (m_suf or "").strip() if (has_range or tok2 is None) else ""
    suf_l = suf.lower()
    approx = bool(apx_word) or suf in g.suffix_apx or bool(m.group("a2") if has_range else False)
    if lookback and apx_word and apx_word == lb_word:
        approx = False
    if has_range or (num1.low is not None and num1.low != num1.high):
        comparator = "range"
    elif suf_l in g.suffix_cmp:
        comparator = g.suffix_cmp[suf_l]
    elif cmp_word:
        comparator = g.prefix_cmp.get(cmp_word if zh else cmp_word.lower(), "eq")
    elif approx:
        comparator = "approx"
    else:
        comparator = "eq"
    if (comparator == "eq" and g.persistence is not None and unit in time_s
            and g.persistence.match(view, m_end)):
        comparator = "ge"  # 6个月无改善: lasting at least six months
    if vague:
        lo_v = hi_v = None
        if comparator == "eq":
            comparator = "approx"
    elif comparator in ("gt", "ge"):
        hi_v = None
    elif comparator in ("lt", "le"):
        lo_v = None
    if lo_v is not None and hi_v is not None and lo_v > hi_v:
        lo_v, hi_v = hi_v, lo_v
    if (lo_v is not None and not math.isfinite(lo_v)) or (hi_v is not None and not math.isfinite(hi_v)):
        return None
    # ---- span
    q_start = s1 - 1 if signed and not has_range else s1
    # 在60~100次/分: only a prefix rate word (每天) joins the quote, not a suffix rate (次/分)
    pre_rate = bool(pg.get("rate") and g.rate_prefix.get(pg["rate"]))
    if pre is not None and pre.group(0).strip() and (cmp_word or apx_word or pre_rate or every or between
                                                      or prefix_unit or lookback):
        q_start = pre.start()
        while q_start < s1 and view[q_start].isspace():
            q_start += 1
    if has_range or tok2 is None:
        q_end = m_end
    else:
        q_end = end
    if people_end is not None:
        q_end = max(people_end, n1_end)
    if form == "度" and not has_range and q_end == unit_end and lo_v is not None:
        tenth = re.match(r"[1-9](?![0-9.])", view[q_end:q_end + 2])
        if tenth:  # 烧到38度5: 38.5 ℃
            lo_v, hi_v = lo_v + int(tenth.group()) / 10, (None if hi_v is None else hi_v + int(tenth.group()) / 10)
            q_end += 1
    while q_end > s1 and view[q_end - 1].isspace():
        q_end -= 1
    if q_start < floor:
        q_start = s1
    if zh and unit == "count" and rate == "minute" and g.per_minute is not None:
        pm = g.per_minute.search(view, max(0, q_start - 24), s1)
        if pm is not None:
            unit, rate = g.per_minute_units[pm.group("w")], ""  # 心率60~100次/分 → bpm
    # ---- blood pressure: "140/90mmHg" is two readings
    if m_bp and unit == "mmHg" and not has_range:
        v2 = float(m_bp[1:])
        a = Quantity(q_start + lo, n1_end + lo, *(_vals(comparator, lo_v if lo_v is not None else hi_v)),
                     unit, comparator, vague, approx, rate)
        b = Quantity(m.start("bp") + 1 + lo, min(q_end, stop) + lo, *(_vals(comparator, v2)), unit, comparator,
                     vague, approx, rate)
        return [a, b]
    return [Quantity(q_start + lo, min(q_end, stop) + lo, lo_v, hi_v, unit, comparator, vague, approx, rate)]


def _vals(comparator: str, v: float | None) -> tuple[float | None, float | None]:
    if comparator in ("gt", "ge"):
        return v, None
    if comparator in ("lt", "le"):
        return None, v
    return v, v
