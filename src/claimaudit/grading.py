"""Evidence grades from the rubric (``data/rubric.yaml``), with a trace a reviewer can follow.

Every grade is a start level from the claim's evidence cue, then the rubric's ordered rules; each
rule that fires is logged with the span of article text that triggered it, so a reviewer can see
*why* and override. Phrases come from ``data/cues/{zh,en}.yaml``; this module holds only the
trigger logic. Deterministic: same claims + texts → same grades, traces and flags.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from json.encoder import encode_basestring as _json_str  # a JSON string, non-ASCII kept
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from . import cues, textnorm
from .cues import Hit, family
from .literals import LiteralOwners, Prefilter, ascii_fold, pattern_literals, prefilter
from .config import load_yaml

GRADE_COLUMNS = ["grade", "grade_trace", "rubric_version", "flags", "citation"]
CHECKLIST_COLUMNS = ["article", "doc_id", "role", "author_named", "credentials_stated",
                     "date_stated", "identifiable_reference", "disclaimer_present",
                     "harms_mentioned", "n_claims", "share_grade_de"]
_PARA_BREAK = re.compile(r"\n[ \t\u3000]*\n")
_LONG_SPAN = 256  # characters: see _Page.may_match


@lru_cache(maxsize=None)
def rubric() -> dict:
    """The parsed rubric file (read-only)."""
    return load_yaml("rubric.yaml")


def grade_scale() -> list[str]:
    """Grades best first, as defined in the rubric."""
    return list(_grade_scale())


@lru_cache(maxsize=None)
def _grade_scale() -> tuple[str, ...]:
    return tuple(g["grade"] for g in rubric()["grades"])


def _rank(g: str) -> int:
    return _grade_scale().index(g)


# --- literal prefilters ---------------------------------------------------------------------------
# Grading and the checklist search many spans for phrases, and nearly all of those searches find
# nothing: each span is first tested for the phrase lists' literals (``literals.Prefilter``).


@lru_cache(maxsize=None)
def _phrase_filter(fam: str, key: str, sub: str | None = None) -> Prefilter | None:
    """``Prefilter`` of the phrase list ``key`` (``key.sub``) of a language family (cached
    by name: hashing a compiled pattern hashes its whole code)."""
    pat = cues.pattern(fam, key, sub)
    return None if pat is None else prefilter((pat,))


@lru_cache(maxsize=None)
def _citations_filter(fam: str) -> Prefilter | None:
    """``Prefilter`` of all citation classes of a language family at once."""
    return prefilter(_citation_patterns(fam))


_SENTENCE_LISTS = ("named_source", "sensational")  # searched in every claim's sentence


@lru_cache(maxsize=None)
def _sentence_filter(fam: str) -> Prefilter | None:
    """``Prefilter`` of the citation classes and ``_SENTENCE_LISTS`` together."""
    pats = tuple(cues.pattern(fam, key) for key in _SENTENCE_LISTS)
    if any(p is None for p in pats):
        return None
    return prefilter(_citation_patterns(fam) + pats)


@lru_cache(maxsize=None)
def _citation_classes(fam: str) -> tuple[tuple[str, re.Pattern], ...]:
    """(class name, compiled phrase list) of the citation classes of a language family, in file
    order (``find_citation`` tries them all)."""
    kinds = cues.phrases(fam).get("citations", {})
    pats = ((kind, cues.pattern(fam, "citations", kind)) for kind in kinds)
    return tuple((kind, p) for kind, p in pats if p is not None)


@lru_cache(maxsize=None)
def _citation_patterns(fam: str) -> tuple[re.Pattern, ...]:
    """The compiled citation classes of a language family."""
    return tuple(p for _, p in _citation_classes(fam))


@lru_cache(maxsize=None)
def _class_literals(fam: str) -> LiteralOwners | None:
    """The ``LiteralOwners`` of a language family's citation classes (``_citation_classes``
    order); None when a class has no known literals, or case-insensitive ones (English: over a
    folded document their trie is slower than the per-class prefilters)."""
    pairs: list[tuple[str, int]] = []
    for i, (_, pat) in enumerate(_citation_classes(fam)):
        lits = pattern_literals(pat)
        if not lits or any(icase or not text for text, icase in lits):
            return None
        pairs += [(text, i) for text, _ in lits]
    return LiteralOwners(pairs) if pairs else None


class _Page:
    """One article's text as grading and the checklist search it: per language family its view
    (``cues.view``), and the citations found in its spans. Keyed on offsets and names within
    this page only."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._views: dict[str, str] = {}
        self._citations: dict[tuple[str, int, int], Hit | None] = {}
        self._spans: dict[tuple[str, int, int], tuple[str, str | None]] = {}

    def view(self, fam: str) -> str:
        if fam not in self._views:
            self._views[fam] = cues.view(self.text, fam)
        return self._views[fam]

    def may_match(self, lits: Prefilter | None, fam: str, a: int, b: int) -> bool:
        """False only when phrase lists of ``fam`` with the literals ``lits`` cannot match in
        [a, b): a match lies inside the span, and so does the literal it contains. A long span
        (a document, searched for citations and harms) is cut and folded once for all lists."""
        if lits is None:
            return True
        if b - a < _LONG_SPAN or lits.folded_rx is None:
            return lits.may_occur(self.view(fam), a, b)
        return lits.may_match(*self._cut(fam, a, b))

    def _cut(self, fam: str, a: int, b: int) -> tuple[str, str | None]:
        """[a, b) of the view of ``fam`` and its ``ascii_fold`` (what ``Prefilter.may_match``
        takes), made once per span."""
        key = (fam, a, b)
        got = self._spans.get(key)
        if got is None:
            span = self.view(fam)[a:b]
            got = self._spans[key] = (span, ascii_fold(span))
        return got

    def search_start(self, lits: Prefilter | None, fam: str, a: int, b: int) -> int:
        """Where a search of [a, b) for phrase lists of ``fam`` with the literals ``lits``
        may begin (``Prefilter.search_start``); -1 when they cannot match there."""
        if lits is not None and b - a >= _LONG_SPAN and lits.folded_rx is not None:
            return a if lits.may_match(*self._cut(fam, a, b)) else -1
        return a if lits is None else lits.search_start(self.view(fam), a, b)

    def first_hit(self, fam: str, key: str, a: int, b: int) -> Hit | None:
        """``cues.find(text, fam, key, a, b)[0]`` (or None), stopping at the first non-empty
        hit: the triggers only ever use the first one."""
        pat = cues.pattern(fam, key)
        if pat is None or a >= b:
            return None
        start = self.search_start(_phrase_filter(fam, key), fam, a, b)
        if start < 0:
            return None
        for m in pat.finditer(self.view(fam), start, b):
            s, e = m.span()
            if e > s:
                return Hit(s, e, self.text[s:e], key)
        return None

    def has_hit(self, fam: str, key: str, a: int, b: int) -> bool:
        """``cues.has_hit``, searched only from where the phrase list can match."""
        pat = cues.pattern(fam, key)
        if pat is None or a >= b:
            return False
        start = self.search_start(_phrase_filter(fam, key), fam, a, b)
        return start >= 0 and cues.has_hit(self.text, fam, key, start, b)

    def citation(self, fam: str, a: int, b: int) -> Hit | None:
        """``find_citation`` in [a, b) (several claims share a sentence or paragraph). Only the
        classes whose literals occur in the span are searched: a span passes the prefilter of
        all classes mostly for one weak literal ("[", a year's "20"), and the classes' union
        (``cues.group_may_match``) is a slow scan."""
        key = (fam, a, b)
        if key not in self._citations:
            found = None
            if a < b:
                classes = self._citation_classes(fam, a, b)
                if classes:
                    found = _earliest_citation(self.text, self.view(fam), classes, a, b)
            self._citations[key] = found
        return self._citations[key]

    def _citation_classes(self, fam: str, a: int, b: int) -> list[tuple[str, re.Pattern]]:
        """The citation classes (``_citation_classes``) whose literals occur in [a, b)."""
        index = _class_literals(fam)
        if index is not None:
            present = index.find(self.view(fam), a, b)
            return [c for i, c in enumerate(_citation_classes(fam)) if i in present]
        if not self.may_match(_citations_filter(fam), fam, a, b):
            return []
        return [(kind, pat) for kind, pat in _citation_classes(fam)
                if self.may_match(_phrase_filter(fam, "citations", kind), fam, a, b)]


_UNSET: Any = object()


@dataclass(slots=True)
class Claim:
    """What the triggers need of one claim row, plus its article text.

    ``page`` is the article as searched (``_Page``), shared by the article's claims so that its
    views and span citations are worked out once. ``may_hedge`` is False
    when the claims table already says the claim has no hedge or approximator (empty
    ``hedge_words``, found by ``cues.hedge_hits`` on the same spans at extraction), so the three
    hedge rules need not search again.
    """

    text: str
    fam: str
    start: int
    end: int
    sent: tuple[int, int]
    doc: tuple[int, int]  # extent of the claim's document as seen from its claims
    cue: str
    cue_span: Hit | None
    kind: str
    unit: str
    quote: Hit
    page: _Page | None = field(default=None, repr=False, compare=False)
    may_hedge: bool = True
    # per-claim results several rules ask for, computed on first use (plain attributes:
    # functools.cached_property takes a lock on every access in Python 3.11)
    _clause: Any = field(default=None, init=False, repr=False, compare=False)
    _hedges: Any = field(default=None, init=False, repr=False, compare=False)
    _citation: Any = field(default=_UNSET, init=False, repr=False, compare=False)
    _quiet: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.page is None:
            self.page = _Page(self.text)

    @property
    def view(self) -> str:
        return self.page.view(self.fam)

    @property
    def clause(self) -> tuple[int, int]:
        if self._clause is None:
            self._clause = cues.clause_span(self.text, self.sent, self.start, self.end)
        return self._clause

    @property
    def hedges(self) -> tuple[Hit, ...]:
        """Hedges and approximators of the claim (``cues.hedge_hits``)."""
        if self._hedges is None:
            self._hedges = tuple(cues.hedge_hits(self.text, self.fam, self.sent, self.start,
                                                 self.end)) if self.may_hedge else ()
        return self._hedges

    @property
    def quiet(self) -> bool:
        """True when the claim's sentence holds no literal of the citation classes or of
        ``_SENTENCE_LISTS``: most sentences hold none, and one search then rules out the
        three searches every claim's sentence gets (citation, named source, sensational)."""
        if self._quiet is None:
            self._quiet = not self.page.may_match(_sentence_filter(self.fam), self.fam, *self.sent)
        return self._quiet

    @property
    def citation(self) -> Hit | None:
        """``claim_citation`` (asked by the no_citation rule and for the ``citation`` column)."""
        if self._citation is _UNSET:
            self._citation = claim_citation(self)
        return self._citation


def _first_hit(c: Claim, key: str, a: int, b: int) -> Hit | None:
    """The first hit of phrase list ``key`` in [a, b) of the claim's article, or None."""
    return c.page.first_hit(c.fam, key, a, b)


# --- citations ---------------------------------------------------------------------------------
def _paragraph(text: str, pos: int) -> tuple[int, int]:
    """The blank-line-delimited paragraph around ``pos`` (bounded look-around, linear)."""
    lo = max(0, pos - 2000)
    a = lo
    for m in _PARA_BREAK.finditer(text, lo, pos):
        a = m.end()
    m = _PARA_BREAK.search(text, pos, min(len(text), pos + 2000))
    b = m.start() if m else min(len(text), pos + 2000)
    return a, b


def find_citation(text: str, fam: str, a: int, b: int, view: str | None = None) -> Hit | None:
    """The first identifiable citation (DOI, PMID, [n], journal+year, guideline+year) in [a, b).

    Spans where no citation class can match are skipped with one search
    (``cues.group_may_match``); otherwise each class's first hit competes: earliest start, then
    the longest, then the class listed first. ``view`` is ``cues.view(text, fam)`` if known.
    """
    if not cues.group_may_match(text, fam, "citations", a, b):
        return None
    v = cues.view(text, fam) if view is None else view
    return _earliest_citation(text, v, _citation_classes(fam), a, b)


def _earliest_citation(text: str, view: str, classes: Iterable[tuple[str, re.Pattern]], a: int,
                       b: int) -> Hit | None:
    """Each class's first non-empty hit in [a, b) of ``view``; the earliest wins, then the
    longest, then the class listed first."""
    best: Hit | None = None
    for kind, pat in classes:
        for m in pat.finditer(view, a, b):
            s, e = m.span()
            if e > s:
                if best is None or (s, -e) < (best.start, -best.end):
                    best = Hit(s, e, text[s:e], kind)
                break
    return best


@lru_cache(maxsize=None)
def _paragraph_cues() -> frozenset[str]:
    rule = next((r for r in rubric()["rules"] if r["id"] == "no_citation"), {})
    return frozenset(rule.get("paragraph_for_cues", []))


def claim_citation(c: Claim) -> Hit | None:
    """A citation in the claim's sentence; else, for a claim that points to a study, in its
    paragraph (a bare assertion is not supported by a reference given for another sentence)."""
    hit = None if c.quiet else c.page.citation(c.fam, *c.sent)
    if hit is None and c.cue in _paragraph_cues():
        pa, pb = _paragraph(c.text, c.start)
        hit = c.page.citation(c.fam, min(pa, c.sent[0]), max(pb, c.sent[1]))
    return hit


# --- triggers: each returns (span that triggered the rule, flag override) or None --------------
Trigger = Callable[[Claim], "tuple[Hit, str | None] | None"]


def _sentence_hit(c: Claim) -> Hit:
    return Hit(c.sent[0], c.sent[1], c.text[c.sent[0]:c.sent[1]], "sentence")


def trig_no_citation(c: Claim):
    if c.citation is not None:
        return None
    named = None if c.quiet else _first_hit(c, "named_source", *c.sent)
    if named:
        return named, "named_source"
    return _sentence_hit(c), None


def trig_indirectness(c: Claim):
    people = _first_hit(c, "human_population", *c.sent)
    if not people:
        people = _first_hit(c, "human_population", *c.doc)
    if not people:  # the page heading area (title) is the claim's frame too
        people = _first_hit(c, "human_population", 0, min(len(c.text), 300))
    if people:
        return people, "people"
    return (c.cue_span or c.quote), None


def _real_hedges(c: Claim) -> list[Hit]:
    return [h for h in c.hedges if h.label == "hedge"]


def trig_causal_overclaim(c: Claim):
    if not c.page.may_match(_phrase_filter(c.fam, "causal_verbs"), c.fam, c.sent[0],
                            max(c.sent[1], c.end)):  # holds the clause: skip finding it
        return None
    if _real_hedges(c):
        return None
    verb = _first_hit(c, "causal_verbs", *c.clause)  # the claim's own clause only
    return (verb, None) if verb else None


def trig_sensational(c: Claim):
    word = None if c.quiet else _first_hit(c, "sensational", *c.sent)
    return (word, None) if word else None


def trig_relative_only(c: Claim):
    if c.kind != "effect_size" or c.unit not in ("percent", "fold"):
        return None
    if not _first_hit(c, "effect_words", *c.clause):
        return None
    pat = cues.pattern(c.fam, "proportion_after")
    pct = max(c.text.rfind("%", c.start, c.end), c.text.rfind("％", c.start, c.end))
    after = pct + 1 if pct >= 0 else c.end
    if pat is not None and pat.match(c.view, after, c.sent[1]):
        return None  # "60%的患者": a share of people, not a relative change
    if _first_hit(c, "baseline_markers", *c.sent):
        return None
    return c.quote, None


def trig_hedge_cap(c: Claim):
    hedges = _real_hedges(c)
    return (hedges[0], None) if hedges else None


def trig_approx(c: Claim):
    hits = [h for h in c.hedges if h.label == "approx"]
    return (hits[0], None) if hits else None


TRIGGERS: dict[str, Trigger] = {
    "no_citation": trig_no_citation,
    "indirectness": trig_indirectness,
    "causal_overclaim": trig_causal_overclaim,
    "sensational": trig_sensational,
    "relative_only": trig_relative_only,
    "hedge_cap": trig_hedge_cap,
    "approx": trig_approx,
}


# --- applying the rubric -------------------------------------------------------------------------
def _floor(start_grade: str) -> str:
    for f in rubric()["floors"]:
        if start_grade in f["from"]:
            return f["floor"]
    return grade_scale()[-1]


def _apply(effect: dict, grade: str, floor: str) -> str:
    scale = _grade_scale()
    kind = effect.get("effect", "none")
    if "applies_to" in effect and grade not in effect["applies_to"]:
        return grade
    if kind == "cap":
        new = scale[max(_rank(grade), _rank(effect["to"]))]
    elif kind == "down":
        new = scale[min(len(scale) - 1, _rank(grade) + int(effect.get("steps", 1)))]
    else:
        new = grade
    return scale[min(_rank(new), _rank(floor))]


def _effect_label(effect: dict, before: str, after: str) -> str:
    kind = effect.get("effect", "none")
    op = {"cap": f"cap {effect.get('to', '')}", "down": f"-{effect.get('steps', 1)}"}.get(kind, "flag")
    return f"{op}: {before}→{after}" if kind != "none" else "flag"


Entry = tuple[str, str, Hit]  # (rule, effect label, span that triggered it) of a trace


def _entry(rule: str, effect: str, hit: Hit) -> dict:
    return {"rule": rule, "effect": effect, "start": int(hit.start), "end": int(hit.end),
            "text": hit.text}


def _trace_json(entries: Sequence[Entry]) -> str:
    """``json.dumps([_entry(*e) for e in entries], ensure_ascii=False, separators=(",", ":"))``,
    written out directly (the generic encoder cost more than grading a claim's rules)."""
    return "[" + ",".join([f'{_entry_head(rule, effect)}{hit.start:d},"end":{hit.end:d},'
                           f'"text":{_json_str(hit.text)}}}' for rule, effect, hit in entries]) + "]"


@lru_cache(maxsize=None)
def _entry_head(rule: str, effect: str) -> str:
    """The JSON of a trace entry up to its start offset (few rule/effect pairs recur)."""
    return f'{{"rule":{_json_str(rule)},"effect":{_json_str(effect)},"start":'


@dataclass(frozen=True)
class _Rule:
    """One rubric rule as ``_grade`` applies it: its trigger, its flag, and for the
    indirectness rule the flag that replaces its own when the trigger notes "people"
    (``flag_if_people``)."""

    id: str
    trigger: Trigger
    flag: str | None
    people_flag: str | None


@dataclass(frozen=True)
class _Plan:
    """What grading a claim with a given evidence cue starts from: the rubric read once per
    cue instead of once per claim."""

    start: str
    floor: str
    start_flags: tuple[str, ...]
    start_entry: tuple[str, str]  # (rule, effect label) of the trace's first entry
    rules: tuple[_Rule, ...]  # the rules that consider the cue, in rubric order


@lru_cache(maxsize=None)
def _plan(cue: str) -> _Plan:
    """The ``_Plan`` of an evidence cue."""
    rb = rubric()
    start = rb["start"].get(cue, rb["start"]["none"])
    rules = tuple(_Rule(r["id"], TRIGGERS[r["id"]], r.get("flag"),
                        r.get("flag_if_people", r.get("flag")) if r["id"] == "indirectness" else None)
                  for r in rb["rules"] if "cues" not in r or cue in r["cues"])
    return _Plan(start, _floor(start), tuple(rb.get("start_flags", {}).get(cue, [])),
                 (f"start:{cue}", f"start {start}"), rules)


@lru_cache(maxsize=None)
def _step(rule_id: str, note: str | None, grade: str, floor: str) -> tuple[str, str]:
    """(new grade, trace label) when rule ``rule_id`` fires on ``grade``: a pure function of the
    rubric, so it is worked out once per combination."""
    rule = next(r for r in rubric()["rules"] if r["id"] == rule_id)
    effect = dict(rule)
    if rule_id == "no_citation" and note == "named_source":
        effect.update(rule.get("named_source", {}))
    new = _apply(effect, grade, floor)
    label = _effect_label(effect, grade, new)
    if grade == new and effect.get("effect") != "none":
        label += " (unchanged)"
    return new, label


def grade_claim(c: Claim) -> tuple[str, list[dict], list[str], str]:
    """(grade, trace, flags, citation) of one claim under the rubric."""
    grade, entries, flags, cit = _grade(c)
    return grade, [_entry(*e) for e in entries], flags, cit


def _grade(c: Claim) -> tuple[str, list[Entry], list[str], str]:
    """``grade_claim`` with the trace as ``Entry`` tuples."""
    plan = _plan(c.cue)
    grade, floor = plan.start, plan.floor
    trace = [(*plan.start_entry, c.cue_span or c.quote)]
    flags = list(plan.start_flags)
    for rule in plan.rules:
        fired = rule.trigger(c)
        if fired is None:
            continue
        hit, note = fired
        grade, label = _step(rule.id, note, grade, floor)
        trace.append((rule.id, label, hit))
        flag = rule.flag
        if rule.people_flag is not None and note == "people":
            flags = [f for f in flags if f != rule.flag]
            flag = rule.people_flag
        if flag and flag not in flags:
            flags.append(flag)
    cit = c.citation
    return grade, trace, flags, cit.text if cit else ""


def _int_or_none(v: Any) -> int | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    return int(v)


def _is_null(v: Any) -> bool:
    """A missing group key (pandas groupby drops these)."""
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _doc_extents(articles: Sequence[Any], doc_ids: Sequence[Any], starts: Sequence[int],
                 ends: Sequence[int]) -> dict[tuple[Any, Any], tuple[int, int]]:
    """Extent of each document as covered by its claims' sentences (grading has no doc table).
    One pass over plain column lists (a pandas groupby costs more than the whole loop); keys
    with a missing part are dropped at the end, once per document instead of once per row."""
    spans: dict[tuple[Any, Any], list] = {}
    for key, lo, hi in zip(zip(articles, doc_ids), starts, ends):
        got = spans.get(key)
        if got is None:
            spans[key] = [lo, hi]
        else:
            if lo < got[0]:
                got[0] = lo
            if hi > got[1]:
                got[1] = hi
    return {(art, doc): (int(lo), int(hi)) for (art, doc), (lo, hi) in spans.items()
            if not (_is_null(art) or _is_null(doc))}


_ROW_COLUMNS = ("article", "doc_id", "lang", "start", "end", "sentence_start", "sentence_end",
                "cue_start", "cue_end", "evidence_cue", "kind", "unit", "hedge_words")


def _make_claim(page: _Page, doc: tuple[int, int], lang: Any,
                start: Any, end: Any, sent_start: Any, sent_end: Any, cue_start: Any,
                cue_end: Any, cue: Any, kind: Any, unit: Any, hedge_words: Any) -> Claim:
    """A ``Claim`` from the values of one row (the columns of ``_ROW_COLUMNS`` after doc_id)."""
    text = page.text
    cs, ce = _int_or_none(cue_start), _int_or_none(cue_end)
    cue_hit = Hit(cs, ce, text[cs:ce], "cue") if cs is not None and ce is not None else None
    s, e = int(start), int(end)
    # in field order (text, fam, start, end, sent, doc, cue, cue_span, kind, unit, quote, page,
    # may_hedge): keyword arguments cost more, and this runs once per claim
    return Claim(text, family(lang), s, e, (int(sent_start), int(sent_end)), doc,
                 str(cue or "none"), cue_hit, str(kind or "other"), str(unit or ""),
                 Hit(s, e, text[s:e], "quote"), page,
                 not (isinstance(hedge_words, str) and hedge_words == ""))


def _columns(df: pd.DataFrame, names: Sequence[str]) -> dict[str, list]:
    """Plain Python lists of the named columns (None for an absent one); per-row dicts from
    ``DataFrame.to_dict`` cost more than grading itself."""
    n = len(df)
    return {c: (df[c].tolist() if c in df.columns else [None] * n) for c in names}


def grade_claims(claims: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """The claims table plus ``grade``, ``grade_trace`` (JSON), ``rubric_version``, ``flags``,
    ``citation``. ``texts`` maps article name → article text (the text of record)."""
    out = claims.copy()
    cols = _columns(claims, _ROW_COLUMNS)
    arts, doc_ids = cols["article"], cols["doc_id"]
    s_starts, s_ends = cols["sentence_start"], cols["sentence_end"]
    extents = _doc_extents(arts, doc_ids, s_starts, s_ends)
    rows = list(zip(*(cols[c] for c in _ROW_COLUMNS[2:])))
    n = len(claims)
    grades, traces, flags, cits = [""] * n, [""] * n, [""] * n, [""] * n
    current, page = object(), None
    names = [str(a) for a in arts]
    for i in sorted(range(n), key=names.__getitem__):  # article by article (a stable sort)
        if arts[i] != current:
            current, page = arts[i], _Page(texts[arts[i]])
        doc = extents.get((arts[i], doc_ids[i]), (s_starts[i], s_ends[i]))
        g, t, f, c = _grade(_make_claim(page, doc, *rows[i]))
        grades[i] = g
        traces[i] = _trace_json(t)
        flags[i] = ";".join(f)
        cits[i] = c
    out["grade"] = pd.Series(grades, index=out.index, dtype=object)
    out["grade_trace"] = pd.Series(traces, index=out.index, dtype=object)
    out["rubric_version"] = str(rubric()["version"])
    out["flags"] = pd.Series(flags, index=out.index, dtype=object)
    out["citation"] = pd.Series(cits, index=out.index, dtype=object)
    return out


# --- document checklist (JAMA benchmarks / DISCERN, per content document) -----------------------
def _claim_stats(claims: pd.DataFrame) -> dict[tuple[str, str], tuple[int, float]]:
    """(number of claims, share graded D or E) per (article, doc_id), in one pass over column
    lists (a per-group pandas mean cost ~50 µs a document); missing keys are dropped once per
    document, not tested on every row."""
    stats: dict[tuple[str, str], tuple[int, float]] = {}
    if not len(claims):
        return stats
    graded = "grade" in claims
    weak = claims["grade"].isin(["D", "E"]).tolist() if graded else [False] * len(claims)
    raw: dict[tuple[Any, Any], list[int]] = {}  # per (article, doc_id) as found in the columns
    for key, w in zip(zip(claims["article"].tolist(), claims["doc_id"].tolist()), weak):
        got = raw.get(key)
        if got is None:
            raw[key] = [1, int(bool(w))]
        else:
            got[0] += 1
            got[1] += bool(w)
    counts: dict[tuple[str, str], list[int]] = {}
    for (art, doc), (n, k) in raw.items():
        if _is_null(art) or _is_null(doc):  # groupby drops missing keys
            continue
        got = counts.setdefault((str(art), str(doc)), [0, 0])
        got[0] += n
        got[1] += k
    for key, (n, k) in counts.items():
        stats[key] = (n, k / n if graded else math.nan)
    return stats


def document_checklist(articles: Sequence[Any], claims: pd.DataFrame) -> pd.DataFrame:
    """One row per content document: authorship, credentials, date, references, disclaimer,
    harms, and how many of its claims rest on weak evidence (share graded D or E)."""
    from .model import CONTENT_ROLES

    stats = _claim_stats(claims)
    rows = []  # tuples in CHECKLIST_COLUMNS order: a frame from row dicts costs more
    for art in articles:
        page = _Page(art.text)
        disclaimer = any(page.has_hit(f, "disclaimer", 0, len(art.text)) for f in ("zh", "en"))
        for doc in art.documents:
            if doc.role not in CONTENT_ROLES:
                continue
            fam = family(doc.lang)
            n, share = stats.get((art.name, doc.doc_id), (0, math.nan))
            rows.append((art.name, doc.doc_id, doc.role, bool(doc.author.strip()),
                         _credentials(doc, fam),
                         bool(doc.published or (doc.role == "main" and art.published)),
                         page.citation(fam, doc.start, doc.end) is not None, disclaimer,
                         page.has_hit(fam, "harms", doc.start, doc.end), n, share))
    df = pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)
    df["n_claims"] = df["n_claims"].astype("int64")
    df["share_grade_de"] = df["share_grade_de"].astype("float64")
    return df.sort_values(["article", "doc_id"], kind="stable").reset_index(drop=True)


def _credentials(doc: Any, fam: str) -> bool:
    """Credentials stated: in the document's credentials field, or in its author line (read
    on the simplified view for Chinese, worked out only when it is searched)."""
    if doc.credentials.strip():
        return True
    cred_pat = cues.pattern(fam, "credentials")
    if not (cred_pat and doc.author):
        return False
    author = textnorm.simplified_view(doc.author) if fam == "zh" else doc.author
    return bool(author and cred_pat.search(author))
