"""Split a page's text of record into documents: main, answer, related, furniture.

The page is read line by line. Each stripped line is classified on its simplified view (so one
set of simplified-character cues serves traditional pages too) using the cue files in
``data/segment/`` — furniture cues, section headings, date lines, doctor bylines ("NAME 主任医师",
"Dr. NAME reply SPECIALTY"), hospital lines, excerpts. Then a few structural rules assemble
documents:

* a byline anchors an authored block: its question/teaser title above it, the byline (and the
  hospital line), the answer text below it up to the next block or boundary;
* under a related/box heading, lines group into teasers (title, excerpt, date);
* remaining content of the page body (and of "More Info"-like essays) forms main documents;
* everything else that is not blank is furniture, merged into runs;
* page-level metadata read from furniture lines (header bylines "作者：…" / "By …, RN", dates,
  "来源：…" sites) goes to the main documents; a closing byline after the article gives its
  author and, when the header has none, its date;
* a bar breadcrumb "Home | Conditions | Diabetes" among the first lines, before a title line, is
  furniture; spam / promo lines (``furniture.promo`` cues) are furniture wherever they stand.

Dates "a/b/yyyy" follow the line's language (``slashed_date_order``): month first in English
(US, unless a > 12), only unambiguous ones in Chinese.

Documents never overlap; each starts and ends on a non-space character of a line.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from operator import add
from re import _constants as _sre  # the cue regexes' parse trees (first-character gates)


from .config import load_yaml
from .literals import LiteralOwners, literal_regex, minimal, parse, pattern_literals
from .model import Document
from .textnorm import ScriptProfile, ascii_case_strays, simplified_view

LANG_FILES = ("zh", "en")
BOUNDARY = frozenset({"furniture", "date", "header"})
TEXTY = frozenset({"content", "excerpt", "hospital"})


# --------------------------------------------------------------------------------------------
# cue tables
@dataclass(frozen=True)
class Cues:
    headers: tuple[tuple[str, re.Pattern], ...]
    header_any: re.Pattern  # every heading in one alternation: group h<k> is headers[k]
    date_line: re.Pattern
    date_en: re.Pattern
    furn_full: tuple[re.Pattern, ...]
    furn_search: tuple[tuple[int, str, re.Pattern], ...]  # (max_len, match|search, pattern)
    full_any: re.Pattern  # furn_full of both languages in one alternation
    furn_by_len: tuple[FurnTier, ...]  # [n]: the furniture.search cues for a line of n characters
    site: tuple[re.Pattern, ...]
    site_gates: tuple[LineFilter, ...]  # site[k]'s literal prefilter
    site_stopwords: frozenset[str]
    zh_bylines: tuple[re.Pattern, ...]  # header bylines of Chinese pages (groups label author title hospital dept)
    zh_reviewer: re.Pattern  # the reviewer labels (a full match on the `label` group)
    dept: re.Pattern  # a clinical department (骨科, 心内科, 中医门诊)
    affiliation: re.Pattern  # "北京协和医院心内科主任医师": hospital, dept, title in one run
    en_byline: "EnByline"
    meta_part: re.Pattern
    question: re.Pattern
    question_max_chars: int
    byline: re.Pattern
    not_names: re.Pattern  # words that show a byline's NAME is no name (咨询, 免费…)
    hospital: re.Pattern
    reply: tuple[re.Pattern, ...]
    asker: tuple[re.Pattern, ...]
    asker_inline: re.Pattern
    speaker_gate: LineFilter  # literal words of the asker and reply cues
    # the cheap test of ``_reach``: per first character and length of a line, the anchored cues that
    # can start with it and are tried that long, in one alternation (names dropped); per line-length
    # limit a prefilter of the other cues
    # (furniture search, English byline labels, anchored cues that may start with anything)
    first_gates: FirstGates
    # (header_any, date_line, full_any) cut down to their cues that may start with almost anything
    # (None: no such cue): all of them that can still match once the line's first-character gate failed
    ungated: tuple[re.Pattern | None, re.Pattern | None, re.Pattern | None]
    floating_by_len: tuple[LineFilter, ...]  # [n]: the prefilter for a line of n characters
    signoff: re.Pattern
    excerpt: tuple[re.Pattern, ...]
    title_max: dict[str, int]
    title_bad_end: dict[str, re.Pattern]
    min_excerpt: dict[str, int]
    numeric_dates: tuple[re.Pattern, ...]  # each numeric date shape of common.yaml, searched by find_date
    slashed_order: dict[str, str]  # a/b/yyyy reading per family: month_first / unambiguous
    head_crumb: dict  # common.yaml head_crumb: "Home | Conditions | Diabetes" at the page top


def _alt(items) -> str:
    return "|".join(sorted((re.escape(x) for x in items), key=len, reverse=True))


def _any(patterns, flags: int = 0) -> re.Pattern:
    """One compiled alternation of several cue patterns (one regex call per line, not one each)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


def _any_of(patterns: list[re.Pattern], names: list[str] | None = None) -> re.Pattern:
    """One alternation of compiled cues of either language, each keeping its own case flag (and
    wrapped in group ``names[k]`` when given), tried in order."""
    parts = [f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p in patterns]
    if names:
        parts = [f"(?P<{n}>{x})" for n, x in zip(names, parts)]
    return re.compile("|".join(parts))


# --------------------------------------------------------------------------------------------
# line gates: most lines hit no cue, and one scan for the cues' literal words (``LineFilter``)
# or a look at the line's first character (``FirstGates``) proves it far faster than running
# each cue regex (several of them try every position of the line)
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)


def first_key(ch: str) -> str:
    """A line's first character as looked up in ``Cues.first_gates`` (any decimal digit is "0")."""
    return "0" if ch.isdecimal() else ch.lower()


def _first(items) -> tuple[set[str] | None, bool]:
    """(``first_key`` of every character a parsed sequence's match can start with, or None when
    too many; whether the sequence can match empty). Whitespace is left out: lines are stripped."""
    keys: set[str] = set()
    for op, av in items:
        found, nullable = _first_item(op, av)
        if found is None:
            return None, False
        keys |= found
        if not nullable:
            return keys, False
    return keys, True


def _first_item(op, av) -> tuple[set[str] | None, bool]:
    if op is _sre.LITERAL:
        return {first_key(chr(av))}, False
    if op is _sre.IN:
        return _first_of_class(av), False
    if op is _sre.AT or op is _sre.ASSERT or op is _sre.ASSERT_NOT:
        return set(), True  # zero width
    if op is _sre.SUBPATTERN or op is _sre.ATOMIC_GROUP:
        return _first(av[3] if op is _sre.SUBPATTERN else av)
    if op is _sre.BRANCH:
        alts = [_first(alt) for alt in av[1]]
        if any(k is None for k, _ in alts):
            return None, False
        return set().union(*(k for k, _ in alts)), any(n for _, n in alts)
    if op in _REPEATS:
        found, nullable = _first(av[2])
        return found, nullable or av[0] == 0
    return None, False


def _first_of_class(members) -> set[str] | None:
    keys: set[str] = set()
    for op, av in members:
        if op is _sre.LITERAL:
            keys.add(first_key(chr(av)))
        elif op is _sre.RANGE and av[1] - av[0] < 128:
            keys |= {first_key(chr(c)) for c in range(av[0], av[1] + 1)}
        elif op is _sre.CATEGORY and av is _sre.CATEGORY_DIGIT:
            keys.add("0")
        elif not (op is _sre.CATEGORY and av is _sre.CATEGORY_SPACE):
            return None  # a negated or wide class
    return keys


def _pattern_first(pat: re.Pattern) -> set[str] | None:
    """First-character keys of one anchored cue (None: it may start with almost anything)."""
    try:
        found, nullable = _first(list(parse(pat)))
    except Exception:
        return None
    if found is None or nullable or not _uncased_or_ascii("".join(found)):
        return None
    return found


def _uncased_or_ascii(s: str) -> bool:
    return all(ch.isascii() or ch.lower() == ch == ch.upper() for ch in s)


@lru_cache(maxsize=None)
def _pattern_needles(pat: re.Pattern) -> frozenset[str] | None:
    """Lower-cased needles of one compiled cue (None: no usable literal, the cue always runs):
    its ``required_literals``, all searched in the lower-cased line (``line_low``), which
    holds a lowercase copy of every literal the line holds, in either case."""
    found = pattern_literals(pat)
    if not found or not all(_uncased_or_ascii(s) for s, _ in found):
        return None
    return frozenset(s.lower() for s, _ in found)


@lru_cache(maxsize=None)
def _fold_strays() -> re.Pattern:
    """Non-ASCII characters that ``re.IGNORECASE`` matches to an ASCII letter (ı ſ İ K): a line
    holding one gets no prefilter (``str.lower`` may not turn them into that letter)."""
    strays = "".join(sorted("".join(ascii_case_strays().values())))
    return re.compile("[" + re.escape(strays) + "]" if strays else r"(?!)")


@dataclass(frozen=True)
class LineFilter:
    """A necessary condition for any of several cue regexes: one of their literal words occurs in
    the line (lower-cased view). Words that start with an ASCII character are scanned apart from
    the others: an ASCII line needs one scan only, and the engine's first-character test stays a
    small bitmap rather than a long list of Han characters. ``ascii_rx`` None: some cue has no
    literal, so the test always passes."""

    ascii_rx: re.Pattern | None
    other_rx: re.Pattern | None

    @classmethod
    def of(cls, patterns) -> "LineFilter":
        words: set[str] = set()  # no cue at all: a filter nothing passes
        for pat in patterns:
            found = _pattern_needles(pat)
            if found is None:
                return cls(None, None)
            words |= found
        words = set(minimal(words))  # "written by" adds nothing once "by" is a needle
        ascii_words = {w for w in words if w[0].isascii()}
        return cls(_scanner(ascii_words), _scanner(words - ascii_words))

    def may_match(self, low: str | None) -> bool:
        """``low``: ``line_low(view)`` (None when the line holds a fold stray)."""
        if self.ascii_rx is None or low is None or self.ascii_rx.search(low):
            return True
        return not low.isascii() and self.other_rx.search(low) is not None

    def matching(self, views: list[str]) -> set[int]:
        """Indexes of the views (lines without fold strays) whose ``line_low`` ``may_match``,
        from one scan of their lowered newline-join per scanner (lowering works character by
        character, so each line's slice of the lowered join is its ``line_low``)."""
        if self.ascii_rx is None:
            return set(range(len(views)))
        joined = "\n".join(views).lower()
        starts = _starts(views)
        hit = _joined_hits(self.ascii_rx, joined, starts)
        if not joined.isascii():  # a word of ``other_rx`` occurs only in a non-ASCII line
            hit |= _joined_hits(self.other_rx, joined, starts)
        return hit


def _scanner(words: set[str]) -> re.Pattern:
    """A regex finding any of ``words`` (``literals.literal_regex``); one finding nothing for none."""
    return literal_regex(words) or re.compile("(?!)")


def line_low(view: str) -> str | None:
    """The lower-cased view for the prefilters, or None when case folding could fool them."""
    if view.isascii():
        return view.lower()
    return None if _fold_strays().search(view) else view.lower()


@lru_cache(maxsize=None)
def cues() -> Cues:
    """Compile the cue files once (both languages: a Chinese page may carry English furniture)."""
    common = load_yaml("segment", "common.yaml")
    data = {lang: load_yaml("segment", f"{lang}.yaml") for lang in LANG_FILES}
    zh, en = data["zh"], data["en"]
    headers: list[tuple[str, re.Pattern]] = []
    for lang, d in data.items():
        fl = re.I if lang == "en" else 0
        for kind, pats in d["headers"].items():
            headers.append((kind, _any(pats, fl)))
    numeric = "|".join(f"(?:{p})" for p in common["dates"]["numeric"])
    labels = f"(?:{zh['date_labels']}|{en['date_labels']})"
    months = "|".join(m[:3] + f"(?:{m[3:]})?" for m in en["months"])
    en_date = (rf"(?:(?P<mon>{months})\.?\s+(?P<dd>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<yy>(?:19|20)\d\d)"
               rf"|(?P<dd2>[0-3]?\d)\s+(?P<mon2>{months})\.?,?\s+(?P<yy2>(?:19|20)\d\d))")
    date_line = re.compile(rf"^(?:{labels})?\s*[:：]?\s*(?:{numeric}|{en_date}){common['dates']['time']}\s*$", re.I)
    furn_full, furn_search, site = [], [], []
    for lang, d in data.items():
        fl = re.I if lang == "en" else 0
        furn_full.append(_any(d["furniture"]["full"], fl))
        for grp in d["furniture"]["search"]:
            anchored = [p for p in grp["patterns"] if p.startswith("^")]
            floating = [p for p in grp["patterns"] if not p.startswith("^")]
            if anchored:
                furn_search.append((grp["max_len"], "match", _any(anchored, fl)))
            # floating patterns stay separate: a merged alternation loses the regex engine's
            # literal-prefix scan and is several times slower on long pages
            furn_search += [(grp["max_len"], "search", re.compile(p, fl)) for p in floating]
        promo = d["furniture"].get("promo")
        if promo:  # spam / promo cues: one alternation (short lines only)
            furn_search.append((promo["max_len"], "search", _any(promo["patterns"], fl)))
        site += [re.compile(p, fl) for p in d["furniture"].get("site", [])]
    by = zh["byline"]
    hosp = zh["hospital"]
    grade = _alt(hosp["grades"])
    hospital = re.compile(
        rf"^(?P<hospital>\S.{{0,40}}?(?:{_alt(hosp['suffixes'])})(?:[(（][^)）]{{1,20}}[)）])?)"
        rf"(?:\s+(?!(?:{grade})$)(?P<dept>[^\s]{{2,12}}))?(?:\s*(?P<grade>{grade}))?$")
    byline = re.compile(
        rf"^(?P<name>{by['name']})\s+(?P<title>{_alt(by['titles'])})"
        rf"(?:\s+(?P<hospital>\S.{{0,40}}?(?:{_alt(hosp['suffixes'])}))(?:\s+(?!(?:{grade})$)(?P<dept>[^\s]{{2,12}}))?"
        rf"(?:\s*(?P<grade>{grade}))?)?$")
    asker = tuple([re.compile(p, re.I) for p in en["asker"]] + [re.compile(p) for p in zh["asker"]["line"]])
    reply = tuple(re.compile(en["reply"][k], re.I) for k in ("pattern", "reverse"))
    en_by = _en_byline(en["byline"], numeric, en_date)

    def each(patterns_of) -> list[re.Pattern]:  # the cue patterns one by one (gates are built per cue)
        return [re.compile(p, re.I if lang == "en" else 0) for lang, d in data.items() for p in patterns_of(d)]

    # (cue, end, longest line it is tried on): fullmatch cues (on a line that is its own core) and
    # cues matched at the line start
    heads = each(lambda d: [p for ps in d["headers"].values() for p in ps])
    full = each(lambda d: d["furniture"]["full"])
    gated = ([(p, r"\Z", HEADER_MAX) for p in heads] + [(p, r"\Z", FULL_MAX) for p in full]
             + [(date_line, "", SHORT_MAX), (byline, "", SHORT_MAX), (hospital, "", HOSPITAL_MAX)]
             + [(p, "", SPEAKER_MAX) for p in asker + reply]
             + [(re.compile(p, re.I if lang == "en" else 0), "", g["max_len"]) for lang, d in data.items()
                for g in d["furniture"]["search"] for p in g["patterns"] if p.startswith("^")])
    first_gates, wild = _first_gates(gated)
    floating = ([(m, p) for m, how, p in furn_search if how == "search"] + [(en_by.max_chars, en_by.label)]
                + wild)
    return Cues(
        first_gates=first_gates,
        ungated=_ungated(headers, date_line, full),
        floating_by_len=_by_length(floating),
        headers=tuple(headers),
        header_any=_any_of([p for _, p in headers], [f"h{k}" for k in range(len(headers))]),
        date_line=date_line,
        date_en=re.compile(en_date, re.I),
        furn_full=tuple(furn_full),
        furn_search=tuple(furn_search),
        full_any=_any_of(furn_full),
        furn_by_len=_furn_by_len(furn_search),
        site=tuple(site),
        site_gates=tuple(LineFilter.of([p]) for p in site),
        site_stopwords=frozenset(w.lower() for d in data.values() for w in d.get("site_stopwords", [])),
        question=re.compile(zh["question_cues"]),
        question_max_chars=int(en["question_max_chars"]),
        meta_part=re.compile(rf"(?:{zh['meta_part']})|(?:{en['meta_part']})", re.I),
        zh_bylines=_zh_bylines(zh),
        zh_reviewer=re.compile(_alt(zh["header_byline"]["reviewer_labels"])),
        dept=re.compile(zh["header_byline"]["dept"]),
        affiliation=_affiliation(zh),
        en_byline=en_by,
        byline=byline,
        not_names=re.compile(_alt(by["not_names"]) or "(?!)"),
        hospital=hospital,
        reply=reply,
        asker=asker,
        asker_inline=re.compile(zh["asker"]["inline"]),
        speaker_gate=LineFilter.of(asker + reply),
        signoff=re.compile(en["signoff"], re.I),
        excerpt=(re.compile(zh["excerpt_end"]), re.compile(en["excerpt_end"], re.I)),
        title_max={"zh": zh["title"]["max_chars"], "en": en["title"]["max_chars"]},
        title_bad_end={"zh": re.compile(zh["title"]["bad_end"]), "en": re.compile(en["title"]["bad_end"])},
        min_excerpt=dict(common["section_end_min_excerpt_chars"]),
        numeric_dates=tuple(re.compile(p) for p in common["dates"]["numeric"]),
        slashed_order={lang: d.get("slashed_date_order", "unambiguous") for lang, d in data.items()},
        head_crumb=dict(common["head_crumb"]),
    )


@dataclass(frozen=True)
class EnByline:
    """English header-byline grammar (data/segment/en.yaml ``byline``), applied part by part."""

    label: re.Pattern  # the labels alone: a cheap first test on every line
    label_gate: LineFilter  # cheaper still: a label's literal words
    head: re.Pattern  # label + optional honorific + name + optional ", credentials"
    writer: re.Pattern  # the writer labels (match on the label group)
    separators: re.Pattern
    not_credential: re.Pattern
    dated: re.Pattern  # a date with its leading words ("updated on", "on")
    max_chars: int


_GROUP_NAME = re.compile(r"(?<!\\)\(\?P<\w+>")


def _gate_part(p: re.Pattern, end: str = "") -> str:
    """A compiled cue as one part of a gate alternation: its case flag inline, group names dropped
    (two cues may name the same group), ``end`` appended ("\\Z": the cue must match the whole line)."""
    return f"(?{'i' if p.flags & re.I else ''}:(?:{_GROUP_NAME.sub('(?:', p.pattern)}){end})"


def _by_length(cues_: list[tuple[int, re.Pattern]]) -> tuple[LineFilter, ...]:
    """``Cues.floating_by_len`` from (longest line, cue) pairs: one prefilter per distinct limit."""
    limits = sorted({m for m, _ in cues_})
    tiers = {m: LineFilter.of(p for limit, p in cues_ if limit >= m) for m in limits}
    return tuple(tiers[next(m for m in limits if m >= n)] for n in range(limits[-1] + 1))


class FirstGates:
    """Per ``first_key`` and line length, one alternation of the anchored cues that can start with
    that key and are tried on lines that long (a long line skips the many heading and full-line
    cues). Each is compiled on first use (a run meets only some of them; compiling all costs
    ~0.1 s)."""

    def __init__(self, parts: dict[str, list[tuple[int, str]]]):
        """``parts``: per key, (longest line the cue is tried on, its ``_gate_part``) in cue order."""
        self._parts = parts
        self._limits = sorted({limit for ps in parts.values() for limit, _ in ps})
        longest = self._limits[-1] if self._limits else -1
        # [n]: the gates (character -> gate) of the smallest limit a line of n characters respects
        memos = [{} for _ in self._limits]
        self._memo_of_len: tuple[dict[str, re.Pattern | None], ...] = tuple(
            memos[bisect_left(self._limits, n)] for n in range(longest + 1))

    def get(self, ch: str, n: int) -> re.Pattern | None:
        """The gate of a line of ``n`` characters starting with ``ch`` (None: no such cue)."""
        if n >= len(self._memo_of_len):
            return None
        memo = self._memo_of_len[n]
        try:
            return memo[ch]
        except KeyError:
            floor = self._limits[bisect_left(self._limits, n)]
            live = [part for limit, part in self._parts.get(first_key(ch), ()) if limit >= floor]
            rx = memo[ch] = re.compile("|".join(live)) if live else None
            return rx


def _first_gates(cues_: list[tuple[re.Pattern, str, int]]) -> tuple[FirstGates, list]:
    """``Cues.first_gates`` for anchored cues (with the ``_gate_part`` end each needs), and the
    (longest line, cue) of those that may start with almost anything (left to the prefilter)."""
    parts: dict[str, list[tuple[int, str]]] = {}
    wild = []
    for pat, end, limit in cues_:
        keys = _pattern_first(pat)
        if keys is None:
            wild.append((limit, pat))
        for key in keys or ():
            parts.setdefault(key, []).append((limit, _gate_part(pat, end)))
    return FirstGates(parts), wild


@dataclass(frozen=True)
class NeedleIndex:
    """Which of several cue regexes may match a line: one scan for the literal words of them all
    (``_pattern_needles``, ``literals.LiteralOwners``) rather than one prefilter scan per cue.
    Words starting with an ASCII character are scanned apart (an ASCII line needs that scan
    only; a word's prefixes start with the same character, so each half credits them)."""

    ascii_words: LiteralOwners
    other_words: LiteralOwners
    always: frozenset[int]  # cues without a usable literal: tried on every line
    every: frozenset[int]

    @classmethod
    def of(cls, patterns: list[re.Pattern]) -> "NeedleIndex":
        needles = [_pattern_needles(p) for p in patterns]
        pairs = [(w, k) for k, found in enumerate(needles) if found for w in found]
        return cls(LiteralOwners((w, k) for w, k in pairs if w[0].isascii()),
                   LiteralOwners((w, k) for w, k in pairs if not w[0].isascii()),
                   frozenset(k for k, found in enumerate(needles) if found is None),
                   frozenset(range(len(patterns))))

    def candidates(self, low: str | None) -> frozenset[int] | set[int]:
        """Indexes of the cues one of whose words occurs in ``low`` (``line_low``; None: all)."""
        if low is None:
            return self.every
        found = self.ascii_words.find(low)
        if not low.isascii():
            found |= self.other_words.find(low)
        return found | self.always if self.always else found


@dataclass(frozen=True)
class FurnTier:
    """The ``furniture.search`` cues allowed on lines up to one length (long lines face only the
    few cues allowed that long): the anchored ones in one alternation behind their literals'
    prefilter, the floating ones each tried only when one of its own literals is on the line
    (a ":" or a year lets a line past the anchored cues' filter, not past the floating ones')."""

    anchored_gate: LineFilter
    anchored: re.Pattern
    floating_gate: LineFilter  # the floating cues' literals in one minimal scan: most lines stop here
    floating: tuple[re.Pattern, ...]
    needles: NeedleIndex  # of ``floating``

    def matches(self, view: str, low: str | None) -> bool:
        """Some cue of the tier matches the line (``low``: ``line_low(view)``)."""
        if self.anchored_gate.may_match(low) and self.anchored.match(view):
            return True
        return self.floating_gate.may_match(low) and any(self.floating[k].search(view)
                                                         for k in self.needles.candidates(low))


def _furn_by_len(furn_search: list[tuple[int, str, re.Pattern]]) -> tuple[FurnTier, ...]:
    """``Cues.furn_by_len``: one ``FurnTier`` per distinct ``max_len``, indexed by line length."""
    limits = sorted({m for m, _, _ in furn_search})
    tiers = {}
    for limit in limits:
        live = [(how, p) for m, how, p in furn_search if m >= limit]
        anchored = [p for how, p in live if how == "match"]
        floating = [p for how, p in live if how == "search"]
        tiers[limit] = FurnTier(LineFilter.of(anchored), _any_of(anchored or [re.compile("(?!)")]),
                                LineFilter.of(floating), tuple(floating), NeedleIndex.of(floating))
    return tuple(tiers[next(m for m in limits if m >= n)] for n in range(limits[-1] + 1))


def _ungated(headers: list[tuple[str, re.Pattern]], date_line: re.Pattern,
             full: list[re.Pattern]) -> tuple[re.Pattern | None, re.Pattern | None, re.Pattern | None]:
    """``Cues.ungated``: the header kinds (groups h<k> as in ``header_any``), the date line and
    the full furniture cues that ``FirstGates`` cannot rule out by a line's first character."""
    def wild(p: re.Pattern) -> bool:
        return _pattern_first(p) is None

    heads = [(f"h{k}", p) for k, (_, p) in enumerate(headers) if wild(p)]
    fulls = [p for p in full if wild(p)]
    return (_any_of([p for _, p in heads], [n for n, _ in heads]) if heads else None,
            date_line if wild(date_line) else None,
            _any_of(fulls) if fulls else None)


def _en_byline(cfg: dict, numeric: str, en_date: str) -> EnByline:
    labels = "|".join(cfg["writer_labels"] + cfg["reviewer_labels"])
    labels = "|".join(sorted(labels.split("|"), key=len, reverse=True))  # longest label first
    head = (rf"^(?P<label>{labels})\s*[:：]?\s*(?:{cfg['honorific']})?(?P<author>{cfg['name']})"
            rf"\s*(?:,\s*(?P<rest>[^\n]{{1,{int(cfg['max_chars'])}}}))?$")
    label = re.compile(rf"(?:{labels})\s*[:：]?\s*(?-i:[A-Z])", re.I)
    return EnByline(label=label, label_gate=LineFilter.of([label]), head=re.compile(head, re.I),
                    writer=re.compile("|".join(f"(?:{w})" for w in cfg["writer_labels"]), re.I),
                    separators=re.compile(cfg["separators"]),
                    not_credential=re.compile(cfg["not_credential"], re.I),
                    dated=re.compile(rf"{cfg['date_lead']}(?:{numeric}|{en_date})", re.I),
                    max_chars=int(cfg["max_chars"]))


def _affiliation(zh: dict) -> re.Pattern:
    """One run "HOSPITAL DEPT TITLE" (each part optional, spaces optional), searched in a byline's
    bracketed or comma-separated affiliation."""
    hosp = _alt(zh["hospital"]["suffixes"])
    return re.compile(
        rf"(?P<hospital>[^\s,，、;；]{{0,30}}(?:{hosp})(?:[(（][^)）]{{1,20}}[)）])?)?\s*"
        rf"(?P<dept>{zh['header_byline']['dept']})?\s*(?P<title>{_alt(zh['byline']['titles'])})?\s*$")


def _zh_bylines(zh: dict) -> tuple[re.Pattern, ...]:
    """Header-byline patterns of zh.yaml with their placeholders filled from the byline/hospital cues."""
    hb, hosp = zh["header_byline"], zh["hospital"]
    fill = {
        "{labels}": _alt(hb["writer_labels"] + hb["reviewer_labels"]),
        "{name}": zh["byline"]["name"],
        "{titles}": _alt(zh["byline"]["titles"]),
        "{hospital}": rf"[^\s|｜,，:：]{{1,30}}?(?:{_alt(hosp['suffixes'])})(?:[(（][^)）]{{1,20}}[)）])?",
        "{dept}": hb["dept"],
    }
    out = []
    for pat in hb["patterns"]:
        for key, val in fill.items():
            pat = pat.replace(key, f"(?:{val})")
        out.append(re.compile(pat))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# lines
@dataclass(slots=True)
class Line:
    i: int
    start: int  # span of the stripped line in the text of record
    end: int
    text: str  # stripped original
    view: str  # stripped simplified view
    family: str  # "zh" or "en"
    kind: str = "content"
    section: str = "body"
    info: dict = field(default_factory=dict)


# longest line (characters) each cue class of ``classify`` is tried on (headers: the line's core)
HEADER_MAX, SHORT_MAX, SPEAKER_MAX, FULL_MAX, HOSPITAL_MAX = 40, 80, 200, 80, 60
_EXCERPT_MARKS = ("..", "…", "⋯", "。。", "[", "]")  # cheap pre-check before the excerpt regexes
_EXCERPT_MARK_RE = re.compile("|".join(map(re.escape, _EXCERPT_MARKS)))
_MD_LEAD, _MD_TRAIL = "#>*_=-", "*_:：>»›"  # markdown markers before a line, marks after it
_MD_RE = re.compile(rf"^[{re.escape(_MD_LEAD)}\s]*|[{re.escape(_MD_TRAIL)}\s]*$")
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_SPACES = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # none lies above U+3000
# a line starting / ending with one of these gets every cue (``_reach``: ANY_CUE)
_LEAD_STOPS, _TRAIL_STOPS = frozenset(_MD_LEAD) | _SPACES, frozenset(_MD_TRAIL) | _SPACES


CORE_MAX = 90  # longer lines are never headings or titles: their markers are kept


def _core(view: str) -> str:
    """A line without markdown markers and trailing ':' / '>' (for heading and title matching)."""
    if len(view) > CORE_MAX:
        return view
    first, last = view[:1], view[-1:]
    if first in _MD_LEAD or last in _MD_TRAIL or first.isspace() or last.isspace():
        return _MD_RE.sub("", view)
    return view  # nothing to cut (and no regex call)


def _slashed(a: int, b: int, order: str) -> tuple[int, int] | None:
    """(month, day) of an a/b/yyyy date: ``month_first`` (US, English pages) reads a as the month
    unless a > 12; ``unambiguous`` reads it only when one part is > 12 (else None)."""
    if a > 12:
        return b, a
    if order == "month_first" or b > 12:
        return a, b
    return None


def iso_date(m: re.Match, family: str = "") -> str:
    """ISO date from a match of the numeric or English date shapes ("" when impossible). ``family``
    ("en"/"zh") sets how an a/b/yyyy date is read (``slashed_date_order``); unknown: unambiguous only."""
    g = m.groupdict()
    try:
        if g.get("y"):
            y, mo, d = int(g["y"]), int(g["m"]), int(g["d"])
        elif g.get("sy"):
            md = _slashed(int(g["sa"]), int(g["sb"]), cues().slashed_order.get(family, "unambiguous"))
            if md is None:
                return ""
            y, (mo, d) = int(g["sy"]), md
        else:
            mon = (g.get("mon") or g.get("mon2") or "").lower()
            mo = _month_numbers().get(mon[:3])
            if mo is None:
                return ""
            y, d = int(g.get("yy") or g.get("yy2")), int(g.get("dd") or g.get("dd2"))
    except (TypeError, ValueError):
        return ""
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"


@lru_cache(maxsize=None)
def _month_numbers() -> dict[str, int]:
    """Month number (1-12) by every prefix of up to three letters of the month names of en.yaml,
    the first month taking a prefix two share ("ju": June)."""
    out: dict[str, int] = {}
    for k, name in enumerate(load_yaml("segment", "en.yaml")["months"], 1):
        for n in range(4):
            out.setdefault(name[:n], k)
    return out


def find_date(text: str, family: str = "") -> str:
    """The first date (numeric or English month name) anywhere in ``text``, as ISO, else ""
    (``family`` as in ``iso_date``)."""
    c = cues()
    for pat in (*c.numeric_dates, c.date_en):
        for m in pat.finditer(text):
            iso = iso_date(m, family)
            if iso:
                return iso
    return ""


def _groups(m: re.Match, text: str) -> dict:
    """Named groups of a match on the view, read from the original text (same offsets; a group
    that did not take part spans (-1, -1))."""
    spans = m.regs
    return {k: text[spans[i][0]:spans[i][1]].strip() if spans[i][0] >= 0 else ""
            for k, i in m.re.groupindex.items()}


def classify(view: str, family: str, text: str | None = None) -> tuple[str, dict]:
    """Kind of one stripped line (on its simplified view) and what it says (date, name…), the
    words themselves taken from ``text`` (the original script; same length as ``view``)."""
    if not view:
        return "blank", {}
    low = line_low(view)
    reach = _reach(view, low)
    if reach == NO_CUE:
        return _excerpt_or_content(view)
    return _classify_cued(view, family, view if text is None else text, _core(view), low, reach == ANY_CUE)


# what the cheap test of ``_reach`` leaves possible for a line: no cue before the excerpt test;
# only the cues that are not anchored on a known first character; any cue
NO_CUE, UNANCHORED, ANY_CUE = 0, 1, 2


def _reach(view: str, low: str | None) -> int:
    """Which cues ``classify`` tries before the excerpt test may match this line: one match of
    the anchored cues that can start with its first character, one scan for the other cues'
    literals. Most content lines stop here (``NO_CUE``); lines with markdown marks, bars or
    case-folding strays get ``ANY_CUE`` untested."""
    if low is None:
        return ANY_CUE
    reach = _gated_reach(view)
    if reach is not None:
        return reach
    return UNANCHORED if cues().floating_by_len[len(view)].may_match(low) else NO_CUE


def _gated_reach(view: str) -> int | None:
    """``_reach`` of a line without fold strays as far as it goes without the literal scan:
    ``ANY_CUE`` (markdown marks, bars, or the first-character gate matched), ``NO_CUE`` (too long
    for every unanchored cue), None (the prefilter ``Cues.floating_by_len[len(view)]`` decides)."""
    if view[0] in _LEAD_STOPS or view[-1] in _TRAIL_STOPS or "|" in view or "｜" in view:
        return ANY_CUE
    c = cues()
    n = len(view)
    first = view[0]
    gate = c.first_gates.get(first, n)
    if gate is not None and gate.match(view):
        return ANY_CUE
    return NO_CUE if n >= len(c.floating_by_len) else None


def _excerpt_or_content(view: str) -> tuple[str, dict]:
    if _EXCERPT_MARK_RE.search(view, len(view) - 40):  # a mark in the last 40 characters
        tail = view[-40:]
        for pat in cues().excerpt:
            if pat.search(tail):
                return "excerpt", {}
    return "content", {}


def _classify_cued(view: str, family: str, text: str, core: str, low: str | None,
                   anchored: bool = True) -> tuple[str, dict]:
    """``classify`` proper: the cues in order, the first that matches decides. ``anchored``
    False: ``_reach`` found the first-character gate failing on this line (which then has no
    markdown marks: ``core`` is ``view``), so only the ``Cues.ungated`` parts of the heading,
    date-line and full-furniture cues can match."""
    c = cues()
    header, date, full = (c.header_any, c.date_line, c.full_any) if anchored else c.ungated
    if header is not None and len(core) <= HEADER_MAX and (m := header.fullmatch(core)):
        return "header", {"section": c.headers[int(m.lastgroup[1:])][0]}  # group h<k>: headers[k]
    if len(view) <= SHORT_MAX:
        m = date.match(view) if date is not None else None
        if m:
            return "date", {"date": iso_date(m, family)}
        m = c.byline.match(view)
        if m and not c.not_names.search(m.group("name")):
            return "byline", _groups(m, text)
    if len(view) <= SPEAKER_MAX and c.speaker_gate.may_match(low):
        for pat in c.asker:
            m = pat.match(view)
            if m:
                return "asker", {**_groups(m, text), "date": find_date(view, family)}
        for pat in c.reply:
            m = pat.match(view)
            if m:
                return "reply", _groups(m, text)
    if len(view) <= 160 and ("|" in view or "｜" in view) and _is_meta_line(view):
        return "furniture", {}
    if family == "en" and len(view) <= c.en_byline.max_chars and en_bylines(view, text, low):
        return "furniture", {}
    if full is not None and len(view) <= FULL_MAX and (full.fullmatch(core) or core != view and full.fullmatch(view)):
        return "furniture", {}
    if _furniture_cue(view, low):
        return "furniture", {}
    if len(view) <= HOSPITAL_MAX:
        m = c.hospital.match(view)
        if m:
            return "hospital", _groups(m, text)
    return _excerpt_or_content(view)


def _furniture_cue(view: str, low: str | None) -> bool:
    """A ``furniture.search`` cue (within its ``max_len``) matches the line."""
    by_len = cues().furn_by_len
    return len(view) < len(by_len) and by_len[len(view)].matches(view, low)


_CLAUSE_RE = re.compile(r"[，,。；;]")
_BARS = re.compile(r"\s*[|｜]\s*")


def _is_meta_line(view: str) -> bool:
    """"2023-11-08 14:20 | 浏览 12,580 次 | 收藏 36": every bar-separated part is a date, a counter
    or another furniture cue."""
    c = cues()
    parts = [p for p in _BARS.split(view) if p]
    return len(parts) >= 2 and all(
        c.date_line.match(p) or c.meta_part.fullmatch(p) or c.full_any.fullmatch(p)
        for p in parts)


def _kind_lines(lines: list[Line], view: str) -> None:
    """Set the kind and info of every non-blank line of a page (``view``) to its ``classify``,
    the cheap steps run once per page rather than once per line: ``_reach``'s literal
    prefilter scans all the lines it has to decide at once (per length tier), and so does the
    excerpt-mark search over the lines no cue can reach. A line the page repeats (a related-list
    title, a specialty) is classified once."""
    todo, repeats = _distinct_lines(lines)
    if _has_fold_strays(view):  # rare: the per-line path, where ``line_low`` sees each stray
        for ln in todo:
            ln.kind, ln.info = classify(ln.view, ln.family, ln.text)
    else:
        clear: list[Line] = []  # the lines no cue reaches
        for ln, r in zip(todo, _page_reach([ln.view for ln in todo])):
            if r == NO_CUE:
                clear.append(ln)
            else:  # no fold stray on the page: ``line_low`` is ``lower``
                v = ln.view
                ln.kind, ln.info = _classify_cued(v, ln.family, ln.text, _core(v), v.lower(), r == ANY_CUE)
        for j in _lines_hit(_EXCERPT_MARK_RE, [ln.view[-40:] for ln in clear]):  # the lines left content
            clear[j].kind, clear[j].info = _excerpt_or_content(clear[j].view)
    for ln, seen in repeats:
        ln.kind, ln.info = seen.kind, dict(seen.info)  # a Line owns its info


def _distinct_lines(lines: list[Line]) -> tuple[list[Line], list[tuple[Line, Line]]]:
    """(the non-blank lines to classify, (line, the same line met before) for the others)."""
    first_of: dict[str, Line] = {}  # view -> the first line with it
    todo: list[Line] = []
    repeats: list[tuple[Line, Line]] = []
    for ln in lines:
        if ln.view:
            seen = first_of.setdefault(ln.view, ln)
            if seen is ln or seen.text != ln.text:
                todo.append(ln)
            else:
                repeats.append((ln, seen))
    return todo, repeats


def _page_reach(views: list[str]) -> list[int]:
    """``_reach`` of each of a page's lines (non-empty views without fold strays): the test of
    ``_gated_reach`` in one loop over the lines (no call per line), then the literal prefilter
    of each length tier once over all the lines it decides (``LineFilter.matching``)."""
    c = cues()
    gate_of, by_len = c.first_gates.get, c.floating_by_len
    unanchored_max = len(by_len)  # lines this long or longer meet no unanchored cue
    lead, trail = _LEAD_STOPS, _TRAIL_STOPS
    reach: list[int] = []
    tiers: dict[int, list[int]] = {}  # id of a floating_by_len filter -> indexes of its lines
    for k, view in enumerate(views):
        n = len(view)
        if view[0] in lead or view[-1] in trail or "|" in view or "｜" in view:
            reach.append(ANY_CUE)
        elif (gate := gate_of(view[0], n)) is not None and gate.match(view):
            reach.append(ANY_CUE)
        else:
            reach.append(NO_CUE)  # unless its tier's prefilter passes it (below)
            if n < unanchored_max:
                tiers.setdefault(id(by_len[n]), []).append(k)
    for ks in tiers.values():
        for j in by_len[len(views[ks[0]])].matching([views[k] for k in ks]):
            reach[ks[j]] = UNANCHORED
    return reach


def _lines_hit(rx: re.Pattern, lines: list[str]) -> set[int]:
    """Indexes of the lines (newline-free) in which ``rx`` (no look-behind, no anchors) finds a
    match: one scan of the lines joined by newlines, from the next line on after each hit (a
    match across a newline counts for no line)."""
    joined = "\n".join(lines)
    return _joined_hits(rx, joined, _starts(lines))


def _starts(lines: list[str]) -> list[int]:
    """Offsets of the lines in their newline-join, plus the join's length + 1 (line k starts
    after the k lines before it and their k newlines)."""
    return list(map(add, accumulate(map(len, lines), initial=0), range(len(lines) + 1)))


def _joined_hits(rx: re.Pattern, joined: str, starts: list[int]) -> set[int]:
    """``_lines_hit`` on the join itself (line k starts at ``starts[k]``)."""
    hit: set[int] = set()
    pos = 0
    while (m := rx.search(joined, pos)) is not None:
        k = bisect_right(starts, m.start()) - 1
        if m.end() < starts[k + 1]:  # within line k
            hit.add(k)
            pos = starts[k + 1]
        else:
            pos = m.start() + 1
    return hit


def _has_fold_strays(text: str) -> bool:
    """Whether ``text`` holds a character ``line_low`` answers None for (``_fold_strays``)."""
    return not text.isascii() and any(ch in text for ch in _stray_chars())


@lru_cache(maxsize=None)
def _stray_chars() -> str:
    return "".join(sorted("".join(ascii_case_strays().values())))


def split_lines(text: str, view: str, kinded: bool = False) -> list[Line]:
    """Lines with the span of their stripped content (offsets into ``text``); blank lines come
    already kinded "blank", the others too when ``kinded`` (``classify``, by ``_kind_lines``)."""
    out: list[Line] = []
    pos = 0
    same = view == text  # most pages: a line's view is its text (no slice of the view to take)
    for i, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        end = pos + len(raw)
        if stripped:
            # the first non-space character (most lines have no space to strip: no search)
            s = pos if len(stripped) == len(raw) else pos + raw.find(stripped[0])
            e = s + len(stripped)
            v = stripped if same else view[s:e]
            family = "en" if v.isascii() or not _HAN_RE.search(v) else "zh"
            out.append(Line(i, s, e, stripped, v, family, "content", "body", {}))
        else:
            out.append(Line(i, end, end, "", "", "en", "blank", "body", {}))
        pos = end + 1
    if kinded:
        _kind_lines(out, view)
    return out


# --------------------------------------------------------------------------------------------
# assembly
@dataclass
class Span:
    first: int  # first line index
    last: int  # last line index (inclusive)
    role: str
    title: str = ""
    author: str = ""
    credentials: str = ""
    published: str = ""


def _title_like(line: Line) -> bool:
    c = cues()
    fam = line.family
    return (0 < len(line.text) <= c.title_max[fam] and line.kind in ("content", "hospital")
            and not c.title_bad_end[fam].search(line.view))


def _title_text(line: Line) -> str:
    return _MD_RE.sub("", line.text)


_CRUMB_BAD = re.compile(r"[\d.,;:!?。，；：！？、()（）\[\]]")
_HAN_ONLY = re.compile(r"[\u3400-\u9fff]{1,12}")


def _crumb_parts(view: str) -> bool:
    """A bar-separated breadcrumb "Home | Conditions | Diabetes": short, capitalized (or Han) parts
    without digits or sentence punctuation (see common.yaml ``head_crumb``)."""
    cfg = cues().head_crumb
    parts = [p.strip() for p in _BARS.split(view)]
    if len(parts) < 2 or not all(parts):
        return False
    home = {w.lower() for w in cfg["home_words"]}
    if len(parts) < int(cfg["min_parts"]) and parts[0].lower() not in home:
        return False
    for p in parts:
        if len(p) > int(cfg["part_max_chars"]) or _CRUMB_BAD.search(p):
            return False
        if not (_HAN_ONLY.fullmatch(p) or (p[0].isupper() and len(p.split()) <= int(cfg["part_max_words"]))):
            return False
    return True


def _head_crumb(lines: list[Line]) -> None:
    """A bar breadcrumb among the first few non-blank lines, with a title line after it, is furniture
    (never the page's title). Only at the page head: bars further down may be table rows or content."""
    cfg = cues().head_crumb
    head = [ln for ln in lines[:64] if ln.kind != "blank"]
    for k, ln in enumerate(head[:int(cfg["max_line"])]):
        if ln.kind == "content" and ("|" in ln.view or "｜" in ln.view) and len(ln.view) <= 120:
            nxt = next((x for x in head[k + 1:] if x.kind not in ("furniture", "date")), None)
            if nxt is not None and _title_like(nxt) and _crumb_parts(ln.view):
                ln.kind, ln.info = "furniture", {}


def _force_furniture(lines: list[Line], spans: list[tuple[int, int]]) -> None:
    """Lines inside known furniture spans (HTML nav/footer/share elements) are furniture."""
    if not spans:
        return
    import bisect
    starts = [s for s, _ in spans]
    for ln in lines:
        if ln.kind == "blank":
            continue
        k = bisect.bisect_right(starts, ln.start) - 1
        if k >= 0 and spans[k][0] <= ln.start and ln.end <= spans[k][1]:
            ln.kind, ln.info = "furniture", {}


def _sections(lines: list[Line]) -> None:
    section = "body"
    for ln in lines:
        if ln.kind == "header":
            section = ln.info["section"]
            ln.section = section
        else:
            ln.section = section


def _credentials(*parts: str) -> str:
    seen: list[str] = []
    for p in parts:
        p = (p or "").strip()
        if p and p not in seen:
            seen.append(p)
    return "; ".join(seen)


def _next_nonblank(lines: list[Line], i: int, stop: int) -> int | None:
    j = i
    while j < stop and lines[j].kind == "blank":
        j += 1
    return j if j < stop else None


def _answer_blocks(lines: list[Line]) -> list[Span]:
    """Blocks anchored on bylines: (title/question) + byline (+ hospital) + answer text."""
    anchors = [ln.i for ln in lines if ln.kind in ("byline", "reply") and ln.section != "furniture_list"]
    n = len(lines)
    heads: list[tuple[int, int, int]] = []  # (start, anchor, last credential line)
    floor = -1
    for a in anchors:
        cred_end = a
        info = lines[a].info
        if lines[a].kind == "byline" and not info.get("hospital"):
            j = _next_nonblank(lines, a + 1, n)
            if j is not None and lines[j].kind == "hospital":
                cred_end = j
        start = a
        if lines[a].kind == "byline":
            j = a - 1
            while j > floor and lines[j].kind == "blank":
                j -= 1
            if j > floor and _title_like(lines[j]) and lines[j].section == lines[a].section:
                start = j
        else:
            seen = 0
            j = a - 1
            while j > floor and seen < 8:
                k = lines[j].kind
                if k == "blank":
                    j -= 1
                    continue
                if k not in ("content", "excerpt", "asker", "hospital"):
                    break
                seen += 1
                start = j
                j -= 1
        if not heads and lines[a].section == "body":
            start = min(start, _question_start(lines, a))
        if heads and start <= heads[-1][2]:
            start = a
        heads.append((start, a, cred_end))
        body = _next_nonblank(lines, cred_end + 1, n)
        floor = body if body is not None else cred_end
    blocks: list[Span] = []
    for k, (start, a, cred_end) in enumerate(heads):
        limit = heads[k + 1][0] if k + 1 < len(heads) else n
        last = cred_end
        j = cred_end + 1
        while j < limit and lines[j].kind not in BOUNDARY and lines[j].kind not in ("byline", "reply"):
            if lines[j].kind != "blank":
                last = j
            j += 1
        blocks.append(_block_meta(lines, start, a, cred_end, last))
    return blocks


def _question_start(lines: list[Line], a: int) -> int:
    """Start of the asker's question above the page's first reply: back to the previous boundary
    over question-like lines (zh: a title or a question cue such as 病情描述：; en: any text, up to
    ``question_max_chars``)."""
    c = cues()
    start, chars = a, 0
    j = a - 1
    while j >= 0:
        ln = lines[j]
        if ln.kind == "blank":
            j -= 1
            continue
        if ln.kind not in ("content", "excerpt", "asker", "hospital"):
            break
        if lines[a].kind == "byline":
            if not (c.question.search(ln.view) or _title_like(ln)):
                break
        chars += len(ln.text)
        if chars > c.question_max_chars:
            break
        start = j
        j -= 1
    if lines[a].kind == "byline":
        below = _below_asker(lines, a, c.question_max_chars)
        if below is not None:
            start = min(start, below)
    return start


def _below_asker(lines: list[Line], a: int, max_chars: int) -> int | None:
    """First line of the plain text between an asker line ("咨询者：男，60-69岁") and the byline
    ``a`` below it: that text is the asker's question even without a question cue. None when no
    asker line sits directly above the text."""
    first, chars = None, 0
    j = a - 1
    while j >= 0:
        ln = lines[j]
        if ln.kind == "blank":
            j -= 1
            continue
        if ln.kind == "asker":
            return first
        if ln.kind not in ("content", "excerpt"):
            return None
        chars += len(ln.text)
        if chars > max_chars:
            return None
        first = j
        j -= 1
    return None


def _block_meta(lines: list[Line], start: int, a: int, cred_end: int, last: int) -> Span:
    info = lines[a].info
    title = _title_text(lines[start]) if start < a else ""
    published = ""
    j = _next_nonblank(lines, last + 1, len(lines))
    if j is not None and lines[j].kind == "date":
        published = lines[j].info.get("date", "")
    hospital = grade = ""
    if lines[a].kind == "byline":
        src = lines[cred_end].info if cred_end != a else info
        hospital, grade, dept = src.get("hospital", ""), src.get("grade", ""), src.get("dept", "")
        if dept and not cues().dept.fullmatch(simplified_view(dept)):
            dept = ""  # "中醫院區" is a campus, not a department
        return Span(start, last, "answer", title, info.get("name", ""),
                    _credentials(info.get("title", ""), hospital, dept, grade), published)
    for ln in lines[start:a]:
        if ln.kind == "asker" and not published:
            published = ln.info.get("date", "")
    c = cues()
    for ln in lines[a + 1:last + 1]:
        m = c.signoff.match(ln.view) if len(ln.view) <= 200 else None
        if m:
            hospital = ln.text[m.start("hospital"):m.end("hospital")].strip().rstrip(",")
    specialty = info.get("specialty", "")
    published = published or (find_date(specialty, lines[a].family) if specialty else "")
    return Span(start, last, "answer", title, info.get("name", ""),
                _credentials(*credential_parts(specialty), hospital), published)


def _teasers(lines: list[Line], claimed: set[int]) -> tuple[list[Span], set[int]]:
    """Related-list items (title, excerpt, date) under related/box/qa headings."""
    c = cues()
    spans: list[Span] = []
    used: set[int] = set()
    group: list[int] = []

    def close() -> None:
        if not group:
            return
        body = [lines[i] for i in group if lines[i].kind != "date"]
        fam = body[0].family if body else "zh"
        has_excerpt = any(ln.kind == "excerpt" or len(ln.text) >= c.min_excerpt[fam] for ln in body)
        if body and has_excerpt:
            date = next((lines[i].info.get("date", "") for i in group if lines[i].kind == "date"), "")
            title = _title_text(body[0]) if len(body) > 1 and _title_like(body[0]) else ""
            spans.append(Span(group[0], group[-1], "related", title, published=date))
            used.update(group)
        group.clear()

    for ln in lines:
        if ln.section not in ("related", "qa") or ln.i in claimed or ln.kind == "header":
            if group:
                close()
            continue
        if ln.kind == "blank":
            continue
        if ln.kind in ("furniture",):
            close()
        elif ln.kind == "date":
            if group:
                group.append(ln.i)
            close()
        else:
            if group:
                last = lines[group[-1]]
                # a new teaser starts after an excerpt, or when a title follows a long text line
                if last.kind == "excerpt" or (_title_like(ln) and len(last.text) >= c.min_excerpt[last.family]
                                              and not _title_like(last)):
                    close()
            group.append(ln.i)
    close()
    return spans, used


def _runs(lines: list[Line], ok) -> list[tuple[int, int]]:
    """Maximal runs of lines satisfying ``ok`` (blank lines inside a run are allowed)."""
    runs: list[tuple[int, int]] = []
    first = last = None
    for ln in lines:
        if ln.kind == "blank":
            continue
        if ok(ln):
            if first is None:
                first = ln.i
            last = ln.i
        elif first is not None:
            runs.append((first, last))
            first = last = None
    if first is not None:
        runs.append((first, last))
    return runs


def _gaps(lines: list[Line], spans: list[Span]) -> list[tuple[int, int]]:
    """(first, last) non-blank line of each stretch that no span (sorted by first line) covers
    and that holds any: the furniture runs around the documents (only the gaps are scanned)."""
    out: list[tuple[int, int]] = []
    start = 0  # first line not covered by the spans seen so far
    for first, after in [(s.first, s.last + 1) for s in spans] + [(len(lines), len(lines))]:
        filled = [i for i in range(start, first) if lines[i].kind != "blank"]
        if filled:
            out.append((filled[0], filled[-1]))
        start = max(start, after)
    return out


def segment(text: str, article: str, view: str | None = None, default_lang: str = "zh-Hans",
            page_title: str = "", page_published: str = "", page_site: str = "",
            profile: ScriptProfile | None = None,
            furniture_spans: list[tuple[int, int]] | None = None) -> tuple[list[Document], dict]:
    """Documents of one page, in text order, plus page metadata found in the text
    (``title``, ``published``, ``site``) and ``meta``, the page's metadata-line spans (exactly
    ``meta_line_spans(text, view)``, read off the same classification instead of a second pass)."""
    view = simplified_view(text) if view is None else view
    lines = split_lines(text, view, kinded=True)
    meta = _meta_of_lines(lines)  # before the structural rules below re-kind any line
    _head_crumb(lines)
    _force_furniture(lines, furniture_spans or [])
    _sections(lines)

    blocks = _answer_blocks(lines)
    claimed = {i for b in blocks for i in range(b.first, b.last + 1)}
    teasers, used = _teasers(lines, claimed)
    claimed |= used

    def free_content(ln: Line) -> bool:
        return ln.i not in claimed and ln.kind in TEXTY and ln.section in ("body", "essay")

    runs = _runs(lines, free_content)
    # header: the first content is a lone title line, followed by furniture, then the body
    title_line = None
    first_block = blocks[0].first if blocks else len(lines)
    body_runs = [r for r in runs if lines[r[0]].section == "body"]
    if body_runs:
        f0, l0 = body_runs[0]
        if f0 == l0 and _title_like(lines[f0]) and (len(body_runs) > 1 or first_block > f0):
            title_line = f0
            runs = [r for r in runs if r != (f0, l0)]
        elif _title_like(lines[f0]):
            title_line = f0
    title = page_title or (_title_text(lines[title_line]) if title_line is not None else "")
    first_main = min([r[0] for r in runs] + [first_block, len(lines)])
    published = page_published or next(
        (ln.info.get("date", "") for ln in lines[:first_main] if ln.kind == "date" and ln.info.get("date")), "") \
        or next((d for d in (find_date(ln.view, ln.family) for ln in lines[:first_main] if ln.kind == "furniture")
                 if d), "")
    site = page_site or _site(lines)

    spans: list[Span] = list(teasers)
    has_main = False
    main_spans: list[Span] = []
    for f, l in runs:
        ess = lines[f].section == "essay"
        main_spans.append(Span(f, l, "main", "" if ess else title, published="" if ess else published))
    # an authored block with no body is a byline header of the following main text
    pending_author: Span | None = None
    for b in blocks:
        if b.last == _cred_end(lines, b):
            pending_author = b
            continue
        before = [s for s in main_spans if s.first < b.first and lines[s.first].section == "body"]
        if lines[b.first].section == "body" and not before and not has_main:
            b.role = "main"
            own = lines[b.first]
            if title and title_line is not None and title_line < b.first and (
                    not b.title or _CLAUSE_RE.search(own.view[:-1])):
                b.title = title  # a question sentence is no title: use the page's own title
            b.published = b.published or published
        has_main = has_main or b.role == "main"
        spans.append(b)
    published = published or next((b.published for b in spans if b.role == "main" and b.published), "")
    title = title or next((b.title for b in spans if b.role == "main" and b.title), "")  # a Q&A page: its question
    header_author, header_cred = _header_author(lines[:first_main])
    if main_spans and not header_author or (header_author and not header_cred):
        last = max((s.last for s in main_spans), default=first_main)
        foot_author, foot_cred = _header_author(lines[:first_main] + _footer_lines(lines, last))
        if foot_author:
            header_author, header_cred = foot_author, foot_cred
    if main_spans and not published:  # "By …, PharmD | Last updated: 11/02/2023" after the article
        published = _footer_date(lines, max(s.last for s in main_spans))
        for ms in main_spans:
            if not ms.published and lines[ms.first].section == "body":
                ms.published = published
    if header_author:  # a page-level byline authors every main document of the page body
        for ms in main_spans:
            if not ms.author and lines[ms.first].section == "body":
                ms.author, ms.credentials = header_author, header_cred
    if pending_author is not None:
        later = [s for s in main_spans if s.first > pending_author.last]
        if later:
            later[0].author, later[0].credentials = pending_author.author, pending_author.credentials
    spans += main_spans
    spans.sort(key=lambda s: s.first)
    spans += [Span(f, l, "furniture") for f, l in _gaps(lines, spans)]
    spans.sort(key=lambda s: s.first)

    profile = profile or ScriptProfile(text)
    docs: list[Document] = []
    bounds = [(lines[s.first].start, lines[s.last].end) for s in spans]
    for n, (s, (start, end), lang) in enumerate(zip(spans, bounds, profile.langs(bounds, default=default_lang))):
        docs.append(Document(article=article, doc_id=f"{article}#{n}", role=s.role, lang=lang,
                             start=start, end=end, title=s.title, author=s.author,
                             credentials=s.credentials, published=s.published, site=site))
    return docs, {"title": title, "published": published, "site": site, "meta": meta}


META_KINDS = ("byline", "reply", "hospital", "asker", "date")


def meta_line_spans(text: str, view: str | None = None) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of byline / hospital / asker / date lines (kinds in ``META_KINDS``).

    Authored blocks keep these lines inside their documents (a Q&A block is question + byline +
    answer); the extractor can skip these spans so that "20~29 year old", "三甲" or an ask date are
    never read as claims."""
    view = simplified_view(text) if view is None else view
    return _meta_of_lines(split_lines(text, view, kinded=True))


def _meta_of_lines(lines: list[Line]) -> list[tuple[int, int, str]]:
    """Metadata-line spans of lines as ``classify`` kinded them (shared by ``segment``, which
    already classified every line, and ``meta_line_spans``)."""
    inline = cues().asker_inline
    out = []
    for ln in lines:
        if ln.view:
            if ln.kind in META_KINDS:
                out.append((ln.start, ln.end, ln.kind))
            elif ln.family == "zh" and (m := inline.match(ln.view)):
                out.append((ln.start, ln.start + m.end(), "asker"))  # "病情描述（女，28岁）：…" prefix only
    return out


def _cred_end(lines: list[Line], b: Span) -> int:
    """Index of the last byline/hospital line of an authored block."""
    j = b.first
    while j <= b.last and lines[j].kind not in ("byline", "reply"):
        j += 1
    if j <= b.last and lines[j].kind == "byline":
        k = _next_nonblank(lines, j + 1, b.last + 1)
        if k is not None and lines[k].kind == "hospital":
            return k
    return j


def _header_author(lines: list[Line]) -> tuple[str, str]:
    """(author, credentials) named on furniture lines ("作者：…", "By …", "Medically reviewed by …"):
    the first writer's byline, else the first reviewer's; a byline naming only credentials
    ("（作者系某医院主任医师）") completes a named writer who has none."""
    found = [b for ln in lines if ln.kind == "furniture"
             for b in (en_bylines(ln.view, ln.text) if ln.family == "en" else zh_bylines(ln.view, ln.text))]
    named = [b for b in found if b["author"]]
    best = next((b for b in named if b["writer"]), named[0] if named else None)
    if best is None:
        return "", ""
    creds = best["credentials"] or next((b["credentials"] for b in found if not b["author"] and b["writer"]), "")
    return best["author"], creds


def _footer_lines(lines: list[Line], after: int, limit: int = 6) -> list[Line]:
    """The first few non-blank lines after line ``after`` while they are furniture (an article's
    closing byline, "（作者系…）")."""
    out: list[Line] = []
    for ln in lines[after + 1:]:
        if ln.kind == "blank":
            continue
        if ln.kind != "furniture" or len(out) >= limit:
            break
        out.append(ln)
    return out


def _footer_date(lines: list[Line], after: int, limit: int = 6) -> str:
    """The first date of the few furniture / date lines right after line ``after``: a date line or
    a byline's date ("Last reviewed: 11/02/2023" under an article whose header gave no date)."""
    seen = 0
    for ln in lines[after + 1:]:
        if ln.kind == "blank":
            continue
        if ln.kind not in ("furniture", "date") or seen >= limit:
            break
        seen += 1
        if ln.kind == "date":
            date = ln.info.get("date", "")
        else:  # only a byline's date: "上一篇：…" or a copyright year is no article date
            found = en_bylines(ln.view, ln.text) if ln.family == "en" else zh_bylines(ln.view, ln.text)
            date = next((x["date"] for x in found if x["date"]), "")
        if date:
            return date
    return ""


_COMMAS = re.compile(r"\s*[,;，；|｜]\s*|\s+[—–-]\s*|\s*[—–]\s+")


def _without_dates(s: str) -> str:
    """``s`` with its dates (numeric or English month names) replaced by commas, so that
    "Updated on March 3, 2024" does not leave "March 3" behind as a credential."""
    return cues().en_byline.dated.sub(",", s)


def credential_parts(s: str) -> list[str]:
    """Comma-separated credential words of an English byline tail ("Attending Physician,
    Department of X, Y Hospital"), dates and "Updated on"/"5 min read" notes dropped."""
    nc = cues().en_byline.not_credential
    out: list[str] = []
    for p in (p.strip(" .—–-") for p in _COMMAS.split(_without_dates(s))):
        if p.lower().startswith(("and ", "& ")):
            break  # "…, RN, and John Roe, MD": a co-author's name and credentials follow
        if p and not nc.search(p):
            out.append(p)
    return out


def en_bylines(view: str, text: str | None = None, low: str | None = "") -> list[dict]:
    """Bylines of an English header line ("By Jane Doe, RN", "Medically reviewed by Ann Lee, MD —
    Written by Tom Brown — Updated on June 9, 2022"), or [] when its first part is no byline.

    Each: ``author``, ``credentials`` ("; "-joined), ``writer`` (a writer's label, not a
    reviewer's), ``date`` (ISO, the first date on the line). ``low``: ``line_low(view)`` when the
    caller has it."""
    g = cues().en_byline
    text = view if text is None else text
    if len(view) > g.max_chars:
        return []
    if not g.label_gate.may_match(line_low(view) if low == "" else low) or not g.label.search(view):
        return []
    bounds, pos = [], 0
    for m in g.separators.finditer(view):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(view)))
    out: list[dict] = []
    for k, (a, b) in enumerate(bounds):
        m = g.head.match(view[a:b])  # a slice: "^" never matches at a later ``pos``
        ok = m is not None
        if ok:
            author = text[a + m.start("author"):a + m.end("author")].strip(" .")
            label = m.group("label").lower()
            creds = credential_parts(text[a + m.start("rest"):a + m.end("rest")]) if m.group("rest") else []
            ok = (all(p[0].isupper() or p[0].isdigit() for p in creds)
                  and (" " in author or label.strip() != "by" or bool(creds)))
        if not ok:
            if not out and not (g.not_credential.search(view[a:b]) or find_date(view[a:b], "en")):
                return []  # prose before any byline ("Stress caused by work…"): not a byline line
            continue
        out.append({"author": author, "credentials": "; ".join(dict.fromkeys(creds)),
                    "writer": bool(g.writer.fullmatch(m.group("label"))), "date": ""})
    date = find_date(view, "en") if out else ""
    for b in out:
        b["date"] = date
    return out


def zh_bylines(view: str, text: str | None = None) -> list[dict]:
    """Bylines on a Chinese header meta line ("作者：李建国 副主任医师 北京协和医院 | 2024-09-12",
    "更新日期：2024年1月5日　骨科 黄文德 医师"), same shape as ``en_bylines``; credentials are
    title; hospital; department."""
    c = cues()
    text = view if text is None else text
    out: list[dict] = []
    for k, pat in enumerate(c.zh_bylines):
        for m in pat.finditer(view):
            g = _groups(m, text)
            label = m.groupdict().get("label") or ""
            if not label and c.not_names.search(m.group("author") or ""):
                continue
            aff = m.groupdict().get("aff") or m.groupdict().get("aff2")
            if aff:  # "（北京协和医院心内科主任医师）": the run's own parts
                key = "aff" if m.groupdict().get("aff") else "aff2"
                a = c.affiliation.search(view, m.start(key), m.end(key))
                if a is not None:
                    g.update({k: v for k, v in _groups(a, text).items() if v})
            out.append({"author": g.get("author", ""),
                        "credentials": _credentials(g.get("title", ""), g.get("hospital", ""), g.get("dept", "")),
                        "writer": not (label and c.zh_reviewer.fullmatch(label)), "date": ""})
        if out:
            break  # labelled bylines first; the unlabelled shape only when no label is present
    date = find_date(view, "zh") if out else ""
    for b in out:
        b["date"] = date
    return out


def _site(lines: list[Line]) -> str:
    c = cues()
    candidates = [ln for ln in lines if ln.kind == "furniture" or ln.kind == "header"]
    low = line_low("\n".join(ln.view for ln in candidates))
    for pat, gate in zip(c.site, c.site_gates):  # pattern by pattern: the first that finds a site wins
        if not gate.may_match(low):
            continue  # none of its literals on any candidate line
        for ln in candidates:
            m = pat.search(ln.view)
            if m and m.group("site") and m.group("site").strip().lower() not in c.site_stopwords:
                return ln.text[m.start("site"):m.end("site")].strip()
    return ""
