"""Cross-article consistency: group comparable claims by concept, then measure their agreement.

A claim's group key is (subject concept, measure concept, unit family), with the concepts taken
from the bilingual lexicon ``data/concepts.yaml`` matched around the quantity (never forced: a
claim that names no known subject and measure stays ungrouped). Within a group every claim becomes
an interval in the family's base unit; agreement is interval overlap, the consensus is the largest
set of mutually overlapping claims (found by a sweep, since intervals on a line form an interval
graph whose max clique is the max point coverage). Settings live in ``data/consistency.yaml``.
"""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple

import numpy as np
import pandas as pd

from . import config
from .literals import trie
from .origins import concat_ranges, origin_ids
from .textnorm import HAN_RE, simplified_view, simplified_views

GROUP_TABLE_COLUMNS = [
    "group_id", "subject", "measure", "unit", "unit_family", "verdict", "n_claims", "n_compared",
    "n_articles", "n_origins", "max_agreeing", "agreement", "consensus_low", "consensus_high", "consensus",
    "n_conflict_pairs", "n_within_article_conflicts", "heterogeneity", "q", "i2",
    "subject_label", "measure_label", "subject_label_zh", "measure_label_zh",
]
CONFLICT_COLUMNS = ["group_id", "claim_a", "claim_b", "article_a", "article_b", "quote_a", "quote_b",
                    "same_article", "sentence_a", "sentence_b", "low_a", "high_a", "low_b", "high_b",
                    "unit"]
OVERRIDE_COLUMNS = ["action", "group_id", "into", "claim_id", "note"]
OVERRIDE_ACTIONS = ("merge", "split", "assign", "exclude")
VERDICTS = ("consistent", "partly_consistent", "conflicting", "single_source")
_WS = re.compile(r"\s+")
CHANGE_SUFFIX = "_change"


# --- settings and lexicon ---------------------------------------------------------------------
def settings() -> dict:
    """``data/consistency.yaml`` (cached, read-only)."""
    return config.load_yaml("consistency.yaml")


@dataclass(frozen=True)
class Concept:
    """One lexicon entry: its id, labels, terms per language family, and (measures) constraints."""

    id: str
    labels: Mapping[str, str]
    terms: Mapping[str, tuple[str, ...]]  # "zh" (simplified) and "en"
    unit_families: tuple[str, ...] = ()
    cues: Mapping[str, tuple[str, ...]] | None = None
    default_subject: str = ""
    type: str = ""  # subjects: exposure | condition
    subject_type: str = ""  # measures: the subject type preferred when both are named
    change_split: bool = False  # measures: changes of this level form their own group
    fallback: bool = False  # measures: generic, tried only when no specific measure matches


def _to_simplified(text: str) -> str:
    """The simplified view of ``text`` (same length)."""
    return simplified_view(text)


_HAN_PAIR = re.compile(HAN_RE.pattern * 2)  # two Han characters in a row


def _cut_is_clean(text: str, i: int) -> bool:
    """No conversion phrase can span position ``i`` of ``text``: it is an end of the text, or a
    character beside it is not Han (OpenCC's phrases are runs of Han characters)."""
    return i <= 0 or i >= len(text) or _HAN_PAIR.match(text, i - 1) is None


class _PageViews:
    """Article texts (article → text), and the simplified view of a span of a page cut from the
    page's own view instead of converting the span again.

    The cut equals the span's own conversion when no conversion phrase crosses either end
    (``_cut_is_clean``) and the page's view is its phrase-level conversion (textnorm's usual
    case; tests/test_consistency_views.py checks every claim sentence of the seed, held-out and
    synthetic pages). Inside ``batching.corpus_stage`` the page's view is the one ingest made, so
    nothing is converted; outside it each page with a claim is converted once per run.
    """

    def __init__(self, texts: Mapping[str, str] | None):
        self.texts = texts if texts is not None else {}
        self._views: dict[str, str] = {}

    def simplified(self, article: str, start: int, text: str) -> str | None:
        """``_to_simplified(text)`` for a ``text`` found at ``start`` of ``article``'s page, cut
        from the page's view; None when it is not there or a phrase could cross one of its ends."""
        page = self.texts.get(article)
        end = start + len(text)
        if page is None or start < 0 or not page.startswith(text, start) \
                or not (_cut_is_clean(page, start) and _cut_is_clean(page, end)):
            return None
        view = self._views.get(article)
        if view is None:
            view = self._views[article] = _to_simplified(page)
        return view[start:end]


def _term_families(raw: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    """zh-Hans + zh-Hant (folded to simplified) → "zh"; en stays "en"."""
    raw = raw or {}
    zh = list(raw.get("zh-Hans", []) or []) + [_to_simplified(t) for t in raw.get("zh-Hant", []) or []]
    return {"zh": tuple(dict.fromkeys(zh)), "en": tuple(dict.fromkeys(raw.get("en", []) or []))}


def _concept(cid: str, entry: Mapping) -> Concept:
    return Concept(
        id=cid, labels=dict(entry.get("labels", {})), terms=_term_families(entry.get("terms")),
        unit_families=tuple(entry.get("unit_families", []) or []),
        cues=_term_families(entry["cues"]) if entry.get("cues") else None,
        default_subject=entry.get("default_subject", "") or "", type=entry.get("type", "") or "",
        subject_type=entry.get("subject_type", "") or "",
        change_split=bool(entry.get("change_split", False)), fallback=bool(entry.get("fallback", False)))


@dataclass(frozen=True)
class Lexicon:
    subjects: Mapping[str, Concept]
    measures: Mapping[str, Concept]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The concept lexicon from ``data/concepts.yaml``."""
    raw = config.load_yaml("concepts.yaml")
    return Lexicon(
        subjects={k: _concept(k, v) for k, v in sorted(raw["subjects"].items())},
        measures={k: _concept(k, v) for k, v in sorted(raw["measures"].items())})


class _TermIndex:
    """One trie regex per language family, mapping term → concept ids.

    English terms stand alone: no letter or digit just before (a look-behind over the character
    before the term's first one) or after (an optional plural ending is allowed).
    """

    def __init__(self, concepts: Mapping[str, Concept], field: str = "terms"):
        self.by_term: dict[tuple[str, str], list[str]] = {}
        self.rx: dict[str, re.Pattern] = {}
        for fam in ("zh", "en"):
            terms: set[str] = set()
            for c in concepts.values():
                src = getattr(c, field) or {}
                for t in src.get(fam, ()):
                    key = t.lower()  # views are lower-cased (B12, HbA1c, NGF in zh text)
                    terms.add(key)
                    self.by_term.setdefault((fam, key), []).append(c.id)
            terms.discard("")  # an empty term would match everywhere
            if not terms:
                self.rx[fam] = re.compile(r"(?!x)x")
            elif fam == "en":
                alt = trie(terms, after_first=r"(?<![a-z0-9].)")
                self.rx[fam] = re.compile(rf"{alt}(?:s|es)?(?![a-z0-9])")
            else:
                self.rx[fam] = re.compile(trie(terms))

        # per family: term → concept ids, and the (regex, term map) pairs a text of the family is
        # searched with (Chinese text may quote English terms)
        terms_of = {f: {t: ids for (g, t), ids in self.by_term.items() if g == f} for f in ("zh", "en")}
        self._passes = {"zh": ((self.rx["zh"], terms_of["zh"]), (self.rx["en"], terms_of["en"])),
                        "en": ((self.rx["en"], terms_of["en"]),)}

    def find(self, text: str, fam: str) -> list[tuple[int, int, list[str]]]:
        """Occurrences (start, end, concept ids) in ``text`` (already simplified / lower-cased)."""
        out = []
        for rx, terms in self._passes["zh" if fam == "zh" else "en"]:
            for m in rx.finditer(text):
                term = m.group()
                ids = terms.get(term)
                if ids is None:  # plural suffix matched
                    for cut in (1, 2):
                        ids = terms.get(term[:-cut])
                        if ids:
                            break
                if ids:
                    out.append((m.start(), m.end(), ids))
        return out


@lru_cache(maxsize=1)
def _indexes() -> tuple[_TermIndex, _TermIndex, _TermIndex]:
    lex = lexicon()
    return _TermIndex(lex.subjects), _TermIndex(lex.measures), _TermIndex(lex.measures, "cues")


# --- units ------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def unit_family(unit: str, rate_period: str = "") -> tuple[str, str, float] | None:
    """(family, base unit, factor to base) of a canonical unit; rates get a ``_per_<period>`` family.

    A rate (20 分钟/日) is not comparable with a duration (20 分钟), hence its own family.
    """
    for fam, spec in settings()["unit_families"].items():
        if unit in spec["units"]:
            if rate_period:
                return f"{fam}_per_{rate_period}", f"{spec['base']}/{rate_period}", float(spec["units"][unit])
            return fam, spec["base"], float(spec["units"][unit])
    return None


@lru_cache(maxsize=None)
def _nonnegative(family: str) -> bool:
    fam = family.split("_per_")[0]
    return bool(settings()["unit_families"].get(fam, {}).get("nonnegative", False))


# --- concept matching -------------------------------------------------------------------------
def _lang_family(lang: str) -> str:
    return "en" if str(lang).startswith("en") else "zh"


def _view(text: str, fam: str, simplified: str | None = None) -> str:
    """What terms are matched on: NFKC and lower case (en), or the simplified view in lower case
    (zh; ``simplified`` is ``_to_simplified(text)`` when the caller already has it)."""
    if fam == "en":
        return unicodedata.normalize("NFKC", text).lower()
    return (_to_simplified(text) if simplified is None else simplified).lower()


def _distance(hit: tuple[int, int], q: tuple[int, int]) -> int:
    """How far a term is from the quantity: preceding terms are preferred (zh and en both name the
    thing before its number far more often than after)."""
    s, e = hit
    if e <= q[0]:
        return q[0] - e
    if s >= q[1]:
        return 2 * (s - q[1]) + 1
    return 0


def _nearest(hits, q: tuple[int, int], allowed: set[str] | None = None) -> dict[str, int]:
    """Best distance per concept id among ``hits``."""
    best: dict[str, int] = {}
    for s, e, ids in hits:
        d = _distance((s, e), q)
        for cid in ids:
            if allowed is not None and cid not in allowed:
                continue
            if d < best.get(cid, 1 << 30):
                best[cid] = d
    return best


_CLAUSE_END = re.compile(r"[，,；;。！？!?：:]|\.\s")


def _in_clause(hit: tuple[int, int], sent: str, q: tuple[int, int]) -> bool:
    """No clause punctuation between the term and the quantity."""
    a, b = (hit[1], q[0]) if hit[1] <= q[0] else (q[1], hit[0])
    return a >= b or not _CLAUSE_END.search(sent, a, b)


def _pick(best: Mapping[str, int]) -> str:
    return min(best.items(), key=lambda kv: (kv[1], kv[0]))[0] if best else ""


class ClaimText(NamedTuple):
    """What concept matching reads for one claim (a named tuple: cheap to make once per claim)."""

    lang: str
    sentence: str
    q_start: int  # quantity span inside ``sentence``
    q_end: int
    words: str = ""  # the extractor's subject/measure words
    context: str = ""  # text just before the sentence (when the article text is known)
    title: str = ""


@dataclass(frozen=True)
class _MeasureSets:
    """Measure ids accepting one unit family, split the way ``match_claim`` asks for them."""

    plain: frozenset[str]  # no cues: always allowed
    cued: frozenset[str]  # allowed only with one of their cues near the quantity
    fallback: frozenset[str]  # generic measures, tried after the specific ones


@lru_cache(maxsize=None)
def _measure_sets(family: str) -> _MeasureSets:
    """Per unit family, from the lexicon once (not per claim): which measures may be named."""
    ms = [m for m in lexicon().measures.values()
          if family.split("_per_")[0] in m.unit_families or family in m.unit_families]
    return _MeasureSets(plain=frozenset(m.id for m in ms if m.cues is None),
                        cued=frozenset(m.id for m in ms if m.cues is not None),
                        fallback=frozenset(m.id for m in ms if m.fallback))


@lru_cache(maxsize=None)
def _subjects_of_type(kind: str) -> frozenset[str]:
    return frozenset(c.id for c in lexicon().subjects.values() if c.type == kind)


@lru_cache(maxsize=1)
def _cueless_measures() -> frozenset[str]:
    """Measures without cues: they count only when named inside the quantity's clause."""
    return frozenset(m.id for m in lexicon().measures.values() if m.cues is None)


class _TextTerms:
    """A text's view, its term hits per index and the concepts it names, and for a sentence its
    choices per quantity span (nearest terms, cues, measure and subject picks), each computed on
    first use.

    One object serves every claim quoting the same text (``_TermsMemo``: a sentence repeated across
    pages, a document title, the extractor's words), so a text is viewed and searched once per
    index and a sentence's choices are made once per quantity; fall-back texts are viewed only
    when the sentence does not settle a match.
    """

    __slots__ = ("text", "fam", "_simplified", "_view", "_hits", "_named", "_nearest", "_cues", "_measures",
                 "_subjects")

    def __init__(self, text: str, fam: str, simplified: str | None = None):
        """``simplified``: ``_to_simplified(text)`` when the caller already has it (cut from the page)."""
        self.text, self.fam = text, fam
        self._simplified = simplified
        self._view: str | None = None
        self._hits: dict[_TermIndex, list] = {}
        self._named: dict[_TermIndex, frozenset[str]] = {}
        self._nearest: dict[tuple, dict[str, int]] = {}
        self._cues: dict[tuple[int, int], frozenset[str]] = {}
        self._measures: dict[tuple[tuple[int, int], str], tuple[str, str]] = {}
        self._subjects: dict[tuple[tuple[int, int], str], str] = {}

    @property
    def simplified(self) -> str:
        """``_to_simplified(text)`` (Chinese texts)."""
        if self._simplified is None:
            self._simplified = _to_simplified(self.text)
        return self._simplified

    @property
    def view(self) -> str:
        """``_view(text, fam)``."""
        if self._view is None:
            self._view = _view(self.text, self.fam, self.simplified if self.fam == "zh" else None)
        return self._view

    def hits(self, idx: _TermIndex) -> list:
        found = self._hits.get(idx)
        if found is None:
            found = self._hits[idx] = idx.find(self.view, self.fam)
        return found

    def named(self, idx: _TermIndex) -> frozenset[str]:
        """Every concept of ``idx`` the text names, wherever (fall-back texts have no distances)."""
        found = self._named.get(idx)
        if found is None:
            found = self._named[idx] = frozenset(cid for _, _, ids in self.hits(idx) for cid in ids)
        return found

    def nearest(self, idx: _TermIndex, q: tuple[int, int],
                clause_bound: frozenset[str] = frozenset()) -> Mapping[str, int]:
        """``_sentence_nearest`` of this text (claims of one sentence often share a quantity)."""
        key = (idx, q, clause_bound)
        found = self._nearest.get(key)
        if found is None:
            found = self._nearest[key] = _sentence_nearest(self, idx, q, clause_bound)
        return found

    def cues(self, q: tuple[int, int]) -> frozenset[str]:
        """The measures whose cues the text names within ``cue_window`` characters of ``q``."""
        found = self._cues.get(q)
        if found is None:
            window = int(settings()["cue_window"][self.fam])
            local = self.view[max(0, q[0] - window):q[1] + window]
            found = self._cues[q] = frozenset(c for _, _, ids in _indexes()[2].find(local, self.fam) for c in ids)
        return found

    def measures_near(self, q: tuple[int, int], family: str) -> tuple[str, str]:
        """``_measures_near`` (claims of one sentence and quantity share it)."""
        found = self._measures.get((q, family))
        if found is None:
            found = self._measures[(q, family)] = _measures_near(self, q, family)
        return found

    def subject_near(self, q: tuple[int, int], kind: str) -> str:
        """``_subject_near`` (claims of one sentence and quantity share it)."""
        found = self._subjects.get((q, kind))
        if found is None:
            found = self._subjects[(q, kind)] = _subject_near(self, q, kind)
        return found


class _TermsMemo(dict):
    """(text, language family) → its ``_TextTerms``, made on first use; one per ``concept_keys`` run."""

    def __init__(self, pages: _PageViews):
        super().__init__()
        self.pages = pages

    def __missing__(self, key: tuple[str, str]) -> _TextTerms:
        terms = self[key] = _TextTerms(*key)
        return terms

    def add_chinese(self, texts: Iterable[str]) -> None:
        """Terms of Chinese texts that will be read (the extractor's words), converted at once."""
        texts = [t for t in dict.fromkeys(texts) if (t, "zh") not in self]
        for text, simplified in zip(texts, simplified_views(texts)):
            self[(text, "zh")] = _TextTerms(text, "zh", simplified)

    def of_sentence(self, sentence: str, fam: str, article: str, start: int) -> _TextTerms:
        """The terms of a sentence found at ``start`` of ``article``'s page; a Chinese one's view
        is cut from the page's when it can be (``_PageViews.simplified``)."""
        terms = self.get((sentence, fam))
        if terms is None:
            cut = self.pages.simplified(article, start, sentence) if fam == "zh" else None
            terms = self[(sentence, fam)] = _TextTerms(sentence, fam, cut)
        return terms


def _sentence_nearest(st: _TextTerms, idx: _TermIndex, q: tuple[int, int],
                      clause_bound: frozenset[str] = frozenset()) -> dict[str, int]:
    """Best distance to the quantity per concept the sentence names where it can refer to the
    quantity: before it anywhere, after it only inside its own clause ("…持续超过72小时…,需排除神经
    损伤": the later clause names something else); concepts in ``clause_bound`` (measures without
    cues) only when no clause punctuation separates them from the quantity (``_in_clause``).
    Callers restrict the result to the concepts they allow."""
    sent = st.view
    best: dict[str, int] = {}
    for s, e, ids in st.hits(idx):
        if s >= q[1] and _CLAUSE_END.search(sent, q[1], s):
            continue
        d = _distance((s, e), q)
        in_clause = None
        for cid in ids:
            if cid in clause_bound:
                if in_clause is None:
                    in_clause = _in_clause((s, e), sent, q)
                if not in_clause:
                    continue
            if d < best.get(cid, 1 << 30):
                best[cid] = d
    return best


def _first_named(fallbacks: Iterable[_TextTerms], idx: _TermIndex,
                 ok: frozenset[str] | Callable[[str], bool] | None = None) -> str:
    """The smallest allowed concept id named by the first fall-back text naming any (``ok``: the
    allowed ids, or a test of an id; None allows any)."""
    for terms in fallbacks:
        names: Iterable[str] = terms.named(idx)
        if ok is not None:
            names = names & ok if isinstance(ok, frozenset) else [cid for cid in names if ok(cid)]
        if names:
            return min(names)
    return ""


def _pick_allowed(best: Mapping[str, int], ok) -> str:
    """``_pick`` among the allowed concepts."""
    return _pick({cid: d for cid, d in best.items() if ok(cid)})


def match_claim(ct: ClaimText, family: str, sentence: _TextTerms | None = None,
                title: _TextTerms | None = None, words: _TextTerms | None = None) -> tuple[str, str]:
    """(subject id, measure id) for one claim, or empty strings when the lexicon names none.

    Sentence terms nearest the quantity win; a measure without cues counts only inside the
    quantity's clause (a cue is what ties a farther term to the number). The extractor's words and
    the document title are fall-backs, in that order (a title names a page's topic more reliably
    than the tail of the previous sentence). The measure must accept the unit family and, when it
    lists cues, have one within ``cue_window`` characters of the quantity; generic (fallback)
    measures are tried last, in the sentence only. The subject may also be the measure's default
    subject or, last, the term ending nearest before the sentence (an antecedent).

    A caller matching many claims may pass the ``sentence``, ``title`` and ``words`` terms shared
    by claims quoting the same texts (``ct.sentence``, ``ct.title`` and ``ct.words`` as
    ``_TextTerms``). Each text is viewed and searched only when the steps before it found nothing,
    and the cues only when a cued measure is named at all.
    """
    fam = _lang_family(ct.lang)
    st = sentence if sentence is not None else _TextTerms(ct.sentence, fam)
    fallbacks = [t for t in (words or _TextTerms(ct.words, fam), title or _TextTerms(ct.title, fam)) if t.text]
    subject, measure = _match_texts(st, (ct.q_start, ct.q_end), family, fallbacks)
    if measure and not subject and ct.context:
        subject = _antecedent(ct.context, fam)
    return (subject, measure) if subject else ("", "")


def _match_texts(st: _TextTerms, q: tuple[int, int], family: str,
                 fallbacks: Iterable[_TextTerms]) -> tuple[str, str]:
    """``match_claim`` on the sentence's terms ``st`` and the fall-back texts, without its last
    step (the text before the sentence): the subject may be empty when the measure is not.
    The sentence's own choices are memoised on ``st``; the fall-backs are read only without them."""
    specific, generic = st.measures_near(q, family)
    measure = specific
    if not measure:
        ms = _measure_sets(family)
        measure = _first_named(fallbacks, _indexes()[1], lambda cid: cid not in ms.fallback
                               and _measure_allowed(st, q, ms, cid)) or generic  # generic: in the sentence only
    if not measure:
        return "", ""
    m = lexicon().measures[measure]
    subject = ""
    if m.subject_type:
        subject = st.subject_near(q, m.subject_type) or _first_named(
            fallbacks, _indexes()[0], _subjects_of_type(m.subject_type))
    return subject or st.subject_near(q, "") or _first_named(fallbacks, _indexes()[0]) or m.default_subject, measure


def _measure_allowed(st: _TextTerms, q: tuple[int, int], ms: _MeasureSets, cid: str) -> bool:
    """The measure accepts the unit family and, if it lists cues, one is near the quantity (the
    cues are looked for only when a cued measure is named)."""
    return cid in ms.plain or (cid in ms.cued and cid in st.cues(q))


def _measures_near(st: _TextTerms, q: tuple[int, int], family: str) -> tuple[str, str]:
    """(nearest specific measure, nearest generic measure) the sentence names for a quantity of
    ``family`` at ``q``; empty strings when none. Ties go to the smaller id (as ``_pick``)."""
    ms = _measure_sets(family)
    best: dict[bool, tuple[int, str]] = {}  # generic? → (distance, id), one pass over the terms
    for cid, d in st.nearest(_indexes()[1], q, _cueless_measures()).items():
        if _measure_allowed(st, q, ms, cid):
            generic = cid in ms.fallback
            if generic not in best or (d, cid) < best[generic]:
                best[generic] = (d, cid)
    return best[False][1] if False in best else "", best[True][1] if True in best else ""


def _subject_near(st: _TextTerms, q: tuple[int, int], kind: str) -> str:
    """The nearest subject the sentence names for the quantity at ``q`` (of type ``kind`` if given)."""
    near = st.nearest(_indexes()[0], q)
    return _pick_allowed(near, _subjects_of_type(kind).__contains__) if kind else _pick(near)


def _antecedent(context: str, fam: str, simplified: str | None = None) -> str:
    """The subject named by the text before the sentence: the term ending closest to its end
    (``simplified``: the context's simplified view, when known)."""
    before = _TextTerms(context, fam, simplified)
    n = len(before.view)
    return _pick(_nearest(before.hits(_indexes()[0]), (n, n)))


def _column(df: pd.DataFrame, name: str, default) -> list:
    """A column as a plain list (fast row access), or ``default`` per row when it is absent."""
    return df[name].tolist() if name in df.columns else [default] * len(df)


def _taken(df: pd.DataFrame, positions: np.ndarray, name: str, default) -> list:
    """``_column`` at row ``positions`` only."""
    return df[name].take(positions).tolist() if name in df.columns else [default] * len(positions)


def concept_keys(claims: pd.DataFrame, documents: pd.DataFrame | None = None,
                 texts: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per claim: subject and measure concept ids, unit family and base unit, the automatic group id.

    ``documents`` (doc_id, title) and ``texts`` (article → text, for the sentence before) are
    optional; without them matching reads the sentence and the extractor's words only.

    Pages repeat sentences, titles and extractor's words, so claims are matched once per distinct
    input (language, sentence, quantity span, words, title, unit family; found column-wise by
    ``_distinct``) and each text is viewed and searched once (``_TermsMemo``). Only the last
    step, the text before the sentence, is per claim (for claims still without a subject; once
    per distinct such text).
    """
    if not len(claims):  # (no rows: object columns, as a frame built from no tuples has)
        return pd.DataFrame([], columns=_KEY_COLUMNS, index=claims.index)
    families, family_of_row = _row_families(claims)
    s0, q_start, q_end = _spans(claims)
    titles, title_of_row = _row_titles(claims, documents)
    first, inverse = _distinct([family_of_row, title_of_row, q_start, q_end]
                               + [_value_codes(claims, c) for c in ("lang", "sentence", "subject", "measure")])
    inputs = _MatchInputs.of(claims, first, titles, title_of_row, q_start, q_end, s0)
    terms = _TermsMemo(_PageViews(texts))
    terms.add_chinese([w for w, fam in zip(inputs.words, inputs.lang_family) if w and fam == "zh"])
    found = [_match_input(inputs, k, families[family_of_row[r]], terms) for k, r in enumerate(first.tolist())]
    subjects = np.array([s for s, _ in found], dtype=object)[inverse]
    measures = np.array([m for _, m in found], dtype=object)[inverse]
    needs_context = np.flatnonzero((subjects == "") & (measures != ""))
    if len(needs_context):
        lang_family = np.array(inputs.lang_family, dtype=object)[inverse[needs_context]]
        _add_antecedents(claims, terms.pages, needs_context, s0, lang_family, subjects, measures)
    out = {"subject_concept": subjects.tolist(), "measure_concept": measures.tolist(),
           "unit_family": np.array([f[0] if f else "" for f in families], dtype=object)[family_of_row].tolist(),
           "base_unit": np.array([f[1] if f else "" for f in families], dtype=object)[family_of_row].tolist()}
    out["auto_group_id"] = [f"g-{s}-{m}-{f}" if s and m else ""
                            for s, m, f in zip(out["subject_concept"], out["measure_concept"], out["unit_family"])]
    return pd.DataFrame(out, columns=_KEY_COLUMNS, index=claims.index)


def _value_codes(claims: pd.DataFrame, name: str) -> np.ndarray:
    """Per row a code of its value in column ``name`` (equal values, equal codes; all rows equal
    when the column is absent). Missing values are told apart by kind: None, NaN and NA read
    differently (``str(v or "")``)."""
    if name not in claims.columns:
        return np.zeros(len(claims), dtype=np.intp)
    codes = pd.factorize(claims[name])[0]
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        kinds = pd.factorize(np.array([str(v) for v in claims[name].iloc[missing]], dtype=object))[0]
        codes[missing] = codes.max() + 1 + kinds
    return codes


def _distinct(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(first position of each distinct tuple of column values, per position the index of its
    tuple), tuples numbered in first-seen order; hashed column by column, never sorted."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column)
        key = pd.factorize(key * len(uniques) + codes)[0]  # the distinct tuples so far, numbered
    return np.unique(key, return_index=True)[1], key


def _row_families(claims: pd.DataFrame) -> tuple[list[tuple[str, str, float] | None], np.ndarray]:
    """(``unit_family`` of each distinct unit and rate period, per row the index of its own)."""
    first, inverse = _distinct([_value_codes(claims, "unit"), _value_codes(claims, "rate_period")])
    units, periods = (_taken(claims, first, c, "") for c in ("unit", "rate_period"))
    return [unit_family(str(u or ""), str(p or "")) for u, p in zip(units, periods)], inverse


def _spans(claims: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sentence start, quantity start and end inside the sentence) per row."""
    def ints(name: str) -> np.ndarray:
        if name not in claims.columns:
            return np.zeros(len(claims), dtype=np.int64)
        return np.array([int(v or 0) for v in claims[name].tolist()], dtype=np.int64) \
            if claims[name].dtype == object else claims[name].to_numpy(np.int64)

    s0 = ints("sentence_start")
    return s0, ints("start") - s0, ints("end") - s0


def _row_titles(claims: pd.DataFrame, documents: pd.DataFrame | None) -> tuple[list[str], np.ndarray]:
    """(distinct titles, per row the index of its own): a claim's document's title from
    ``documents`` (the last row of a doc_id), else the row's own ``doc_title``."""
    titles = {}
    if documents is not None and not documents.empty and "title" in documents.columns:
        titles = dict(zip(documents["doc_id"].astype(str).tolist(), documents["title"].fillna("").astype(str).tolist()))
    first, inverse = _distinct([_value_codes(claims, "doc_id"), _value_codes(claims, "doc_title")])
    per_doc = [titles.get(str(d), str(t or "")) for d, t in
               zip(_taken(claims, first, "doc_id", ""), _taken(claims, first, "doc_title", ""))]
    codes, distinct_titles = pd.factorize(np.array(per_doc, dtype=object))
    return distinct_titles.tolist(), codes[inverse]


@dataclass
class _MatchInputs:
    """What matching reads, per distinct input, as plain lists."""

    lang: list[str]
    lang_family: list[str]
    sentence: list[str]
    q_start: list[int]  # quantity span inside the sentence
    q_end: list[int]
    words: list[str]
    title: list[str]
    article: list  # where the sentence is (for its view, ``_TermsMemo.of_sentence``)
    sentence_start: list[int]

    @classmethod
    def of(cls, claims: pd.DataFrame, rows: np.ndarray, titles: list[str], title_of_row: np.ndarray,
           q_start: np.ndarray, q_end: np.ndarray, s0: np.ndarray) -> _MatchInputs:
        """The inputs of claim rows ``rows`` (positions)."""
        lang = [str(v) for v in _taken(claims, rows, "lang", "zh-Hans")]
        return cls(lang=lang, lang_family=[_lang_family(v) for v in lang],
                   sentence=[str(v or "") for v in _taken(claims, rows, "sentence", "")],
                   q_start=q_start[rows].tolist(), q_end=q_end[rows].tolist(),
                   words=[" ".join((str(a or ""), str(b or ""))).strip()
                          for a, b in zip(_taken(claims, rows, "subject", ""), _taken(claims, rows, "measure", ""))],
                   title=[titles[c] for c in title_of_row[rows].tolist()],
                   article=_taken(claims, rows, "article", None), sentence_start=s0[rows].tolist())


def _match_input(inputs: _MatchInputs, k: int, family: tuple[str, str, float] | None,
                 terms: _TermsMemo) -> tuple[str, str]:
    """(subject, measure) of input ``k`` with the change suffix on a split measure (a change is not
    comparable with a level); the subject may still be empty. Nothing without a unit family."""
    if family is None:
        return "", ""
    fam, sentence, q_start = inputs.lang_family[k], inputs.sentence[k], inputs.q_start[k]
    fallbacks = [t for t in (terms[(inputs.words[k], fam)], terms[(inputs.title[k], fam)]) if t.text]
    st = terms.of_sentence(sentence, fam, inputs.article[k], inputs.sentence_start[k])
    subject, measure = _match_texts(st, (q_start, inputs.q_end[k]), family[0], fallbacks)
    if measure and lexicon().measures[measure].change_split \
            and _is_change(sentence, q_start, inputs.lang[k], st.simplified if fam == "zh" else None):
        measure = f"{measure}{CHANGE_SUFFIX}"
    return subject, measure


def _add_antecedents(claims: pd.DataFrame, pages: _PageViews, rows: np.ndarray,
                     s0: np.ndarray, lang_family: np.ndarray, subjects: np.ndarray, measures: np.ndarray) -> None:
    """For claim rows ``rows`` (a measure, no subject; ``lang_family`` theirs): the subject named
    just before the sentence in the article text, else no match at all (both emptied in place).
    Each distinct text before is read once; Chinese ones are cut from their page's view or, where
    a phrase could cross the cut, converted together."""
    keys, simplified = [], {}
    for article, start, fam in zip(_taken(claims, rows, "article", None), s0[rows].tolist(), lang_family.tolist()):
        page = pages.texts.get(article)
        context = page[max(0, start - 80):start] if page is not None else ""
        keys.append((context, fam))
        if context and fam == "zh" and context not in simplified:
            simplified[context] = pages.simplified(article, max(0, start - 80), context)
    uncut = [c for c, v in simplified.items() if v is None]
    simplified.update(zip(uncut, simplified_views(uncut)))
    found = {key: _antecedent(key[0], key[1], simplified.get(key[0])) if key[0] else "" for key in dict.fromkeys(keys)}
    for r, key in zip(rows.tolist(), keys):
        subjects[r] = found[key]
        if not subjects[r]:
            measures[r] = ""


_KEY_COLUMNS = ["subject_concept", "measure_concept", "unit_family", "base_unit", "auto_group_id"]


# --- overrides ------------------------------------------------------------------------------
def load_overrides(claims_dir: str | Path | None = None) -> pd.DataFrame:
    """Reviewer overrides: ``<claims_dir>/group_overrides.csv`` if present, else the packaged
    default (empty). Rows: merge group_id into / split group_id claim_id [into] / assign claim_id
    group_id / exclude claim_id."""
    path = Path(claims_dir) / "group_overrides.csv" if claims_dir is not None else None
    if path is None or not path.is_file():
        path = config.data_path("group_overrides.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in OVERRIDE_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df[OVERRIDE_COLUMNS].apply(lambda s: s.str.strip())
    bad = sorted(set(df["action"]) - set(OVERRIDE_ACTIONS))
    if bad:
        raise ValueError(f"{path}: unknown override action(s) {bad}; use {list(OVERRIDE_ACTIONS)}")
    return df


def apply_overrides(claim_ids: pd.Series, group_ids: pd.Series, overrides: pd.DataFrame | None) -> pd.Series:
    """Group ids after the reviewer's rows, applied merge → split → assign → exclude.

    Merges are followed transitively (a→b, b→c puts a's claims in c); a split moves one claim out of
    its group into ``into`` (default ``<group_id>~<claim_id>``).
    """
    out = group_ids.astype(str).copy()
    if overrides is None or overrides.empty:
        return out
    ov = overrides.fillna("")
    merge = {r.group_id: r.into for r in ov[ov["action"] == "merge"].itertuples() if r.group_id and r.into}

    def root(g: str) -> str:
        seen = set()
        while g in merge and g not in seen:
            seen.add(g)
            g = merge[g]
        return g

    out = out.map(lambda g: root(g) if g else g)
    pos = {cid: i for i, cid in enumerate(claim_ids.astype(str))}
    vals = out.tolist()
    for r in ov[ov["action"] == "split"].itertuples():
        i = pos.get(r.claim_id)
        if i is not None and (not r.group_id or vals[i] == root(r.group_id)):
            vals[i] = r.into or f"{r.group_id or vals[i]}~{r.claim_id}"
    for r in ov[ov["action"] == "assign"].itertuples():
        i = pos.get(r.claim_id)
        if i is not None and r.group_id:
            vals[i] = root(r.group_id)
    for r in ov[ov["action"] == "exclude"].itertuples():
        i = pos.get(r.claim_id)
        if i is not None:
            vals[i] = ""
    return pd.Series(vals, index=group_ids.index, dtype=object)


# --- intervals --------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _word_patterns(section: str, key: str, fam: str) -> tuple[re.Pattern, ...]:
    """Compiled patterns of a word list in ``data/consistency.yaml`` (once, not per claim):
    literal in Chinese, whole words in English."""
    words = settings()[section][key][fam]
    return tuple(re.compile(re.escape(w) if fam == "zh" else rf"(?<![a-z]){re.escape(w)}(?![a-z])")
                 for w in words)


@lru_cache(maxsize=None)
def _any_word(section: str, key: str, fam: str) -> re.Pattern:
    """One pattern matching where any of ``_word_patterns(section, key, fam)`` matches (a
    text none of them matches is ruled out by one search)."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in _word_patterns(section, key, fam)) or r"(?!x)x")


def _alarm_reading(sentence: str, q_start: int, lang: str) -> bool:
    """True when a gt/ge quantity sits in a conditional alarm ("若…持续超过72小时, 需…")."""
    al = settings()["alarm"]
    fam = _lang_family(lang)
    w = int(al["window"][fam])
    before = _view(sentence[max(0, q_start - w):q_start], fam)
    if fam == "en":
        return _any_word("alarm", "words", fam).search(before) is not None
    return any(word in before for word in al["words"][fam])


def _window_view(sentence: str, lo: int, hi: int, fam: str, simplified: str | None = None) -> str:
    """``_view`` of ``sentence[lo:hi]``; cut from the sentence's ``simplified`` view when it is
    given and no conversion phrase crosses the window's ends (as ``_PageViews.simplified``)."""
    if fam == "zh" and simplified is not None and _cut_is_clean(sentence, lo) and _cut_is_clean(sentence, hi):
        return simplified[lo:hi].lower()
    return _view(sentence[lo:hi], fam)


def _is_change(sentence: str, q_start: int, lang: str, simplified: str | None = None) -> bool:
    """True when a change word ("下降", "reduced") stands just before the quantity and no level
    marker ("降至", "fell to") sits between: "糖化血红蛋白平均下降0.5%" is a change, not a level.
    ``simplified``: the sentence's simplified view, when known."""
    cfg = settings()["change"]
    fam = _lang_family(lang)
    w = int(cfg["window"][fam])
    before = _window_view(sentence, max(0, q_start - w), q_start, fam, simplified)
    tail = before.rstrip()
    for word in cfg.get("adjacent", {}).get(fam, []):
        if tail.endswith(word) and (fam == "zh" or not tail[:-len(word)][-1:].isalpha()):
            return True
    if not _any_word("change", "words", fam).search(before):
        return False
    markers = cfg["level_markers"][fam]
    for pat in _word_patterns("change", "words", fam):
        hits = list(pat.finditer(before))
        if not hits:
            continue
        between = before[hits[-1].end():]
        if fam == "zh" and any(m in between for m in markers):
            continue
        if fam == "en" and any(p.search(between) for p in _word_patterns("change", "level_markers", fam)):
            continue
        return True
    return False


def claim_interval(row: Mapping, family: str, factor: float) -> tuple[float, float, str]:
    """(low, high, reading) of one claim in the family's base unit; NaNs when it has no interval.

    lt/le → (0 or -inf, high]; gt/ge → [low, +inf), or (0, low] when read as an alarm threshold;
    approximate values widened by ``approx_margin``.
    """
    comp = str(row.get("comparator", "") or "")
    lo, hi = row.get("value_low"), row.get("value_high")
    lo = float(lo) if lo is not None and lo != "" and not _is_missing(lo) else math.nan
    hi = float(hi) if hi is not None and hi != "" and not _is_missing(hi) else math.nan
    floor = 0.0 if _nonnegative(family) else -math.inf
    reading = comp
    if _truthy(row.get("vague")) and math.isnan(lo) and math.isnan(hi):
        return math.nan, math.nan, "vague"
    if comp in ("lt", "le"):
        hi = hi if not math.isnan(hi) else lo
        lo = floor
    elif comp in ("gt", "ge"):
        lo = lo if not math.isnan(lo) else hi
        s0 = int(row.get("sentence_start", 0) or 0)
        if _alarm_reading(str(row.get("sentence", "") or ""), int(row.get("start", 0)) - s0,
                          str(row.get("lang", ""))):
            lo, hi, reading = floor, lo, "alarm"
        else:
            hi = math.inf
    else:
        if math.isnan(lo):
            lo = hi
        if math.isnan(hi):
            hi = lo
    if math.isnan(lo) or math.isnan(hi):
        return math.nan, math.nan, "no_values"
    if comp == "eq" and lo == hi and settings().get("point_precision", False):
        half = _half_last_digit(lo)  # "62 小时" is 61.5–62.5 h; "2.6 天" is 2.55–2.65 d
        lo, hi = lo - half, hi + half
    lo, hi = lo * factor if math.isfinite(lo) else lo, hi * factor if math.isfinite(hi) else hi
    if comp == "approx" or _truthy(row.get("approx")):
        m = float(settings()["approx_margin"])
        lo = lo * (1 - m) if math.isfinite(lo) and lo > 0 else (lo * (1 + m) if math.isfinite(lo) else lo)
        hi = hi * (1 + m) if math.isfinite(hi) and hi > 0 else (hi * (1 - m) if math.isfinite(hi) else hi)
        reading = reading + "+margin"
    if lo > hi:
        lo, hi = hi, lo
    return lo, hi, reading


def _half_last_digit(v: float) -> float:
    """Half a unit of the last digit a value is written with (its rounding precision)."""
    text = format(abs(v), ".10g")
    if "e" in text:
        return 0.0
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** (-decimals)


def _is_missing(v) -> bool:
    """``pd.isna`` of a scalar; floats, the common case, are checked directly (much cheaper)."""
    return v != v if isinstance(v, float) else bool(pd.isna(v))


def _truthy(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    try:
        return bool(v) and not _is_missing(v)
    except (TypeError, ValueError):
        return bool(v)


_INTERVAL_COLUMNS = ("unit", "rate_period", "comparator", "value_low", "value_high", "vague", "approx",
                     "sentence", "sentence_start", "start", "lang")


def intervals(claims: pd.DataFrame) -> pd.DataFrame:
    """Normalized interval of every claim (low, high, base unit, reading); NaN when not comparable.

    Used by the agreement measures and by the charts.
    """
    rows = []
    used = [c for c in _INTERVAL_COLUMNS if c in claims.columns]  # to_dict of ~40 columns was most of the cost
    records = (dict(zip(used, vals)) for vals in zip(*(claims[c].tolist() for c in used))) if used \
        else ({} for _ in range(len(claims)))  # plain lists: far cheaper than DataFrame.to_dict
    for r in records:
        fam = unit_family(str(r.get("unit", "") or ""), str(r.get("rate_period", "") or ""))
        if fam is None:
            rows.append((math.nan, math.nan, "", "no_family"))
            continue
        lo, hi, reading = claim_interval(r, fam[0], fam[2])
        rows.append((lo, hi, fam[1], reading))
    return pd.DataFrame(rows, columns=["low", "high", "base_unit", "reading"], index=claims.index)


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Agreement of two closed intervals: a shared stretch of positive length, or a point inside.

    Intervals touching only at an end do not agree (see data/consistency.yaml).
    """
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if lo < hi:
        return True
    if lo == hi:
        return a[0] == a[1] or b[0] == b[1]
    return False


def max_clique(ivs: list[tuple[float, float]]) -> tuple[list[int], float, float]:
    """Largest set of mutually agreeing intervals and its consensus (their intersection).

    Intervals on a line: a set agrees pairwise iff a common point lies in all (Helly), so the max
    clique is the max point coverage, found by one sorted sweep, O(n log n). At one coordinate,
    points open first and close last, intervals close before others open (touching ≠ agreeing).
    """
    if not ivs:
        return [], math.nan, math.nan
    events = []
    for i, (lo, hi) in enumerate(ivs):
        if lo == hi:
            events += [(lo, 0, 1, i), (hi, 3, -1, i)]
        else:
            events += [(lo, 2, 1, i), (hi, 1, -1, i)]
    events.sort()
    cur = best = 0
    best_at: tuple[float, int] | None = None
    for x, order, delta, _ in events:
        cur += delta
        if delta > 0 and cur > best:
            best, best_at = cur, (x, order)
    x, order = best_at  # type: ignore[misc]
    if order == 0:  # peak at a point's opening: intervals ending exactly at x are still open
        members = [i for i, (lo, hi) in enumerate(ivs) if (lo == hi == x) or (lo != hi and lo < x <= hi)]
    else:  # peak at an interval's opening: intervals ending at x have closed
        members = [i for i, (lo, hi) in enumerate(ivs) if (lo == hi == x) or (lo != hi and lo <= x < hi)]
    lo = max(ivs[i][0] for i in members)
    hi = min(ivs[i][1] for i in members)
    return sorted(members), lo, hi


def conflicting_pairs(ivs: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """All non-agreeing pairs (i < j), sorted; O(n log n + k) for k pairs (``_disagreeing``)."""
    lo = np.array([iv[0] for iv in ivs], dtype=float)
    hi = np.array([iv[1] for iv in ivs], dtype=float)
    i, j = _disagreeing(lo, hi)
    return list(zip(i.tolist(), j.tolist()))


def _disagreeing(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (i, j), i < j, sorted by (i, j), of every pair of intervals that disagree.

    A pair disagrees iff one interval starts strictly after the other ends, or the two only touch
    (one ends where the other starts) and neither is a point (``overlaps``). Each such pair is
    found once, from the interval that ends first: the intervals starting after its end are a
    suffix of all intervals sorted by start, and the proper ones starting exactly at its end a run
    of the proper intervals sorted by start. Only output pairs are generated: O(n log n + k).
    """
    n = len(lo)
    order = np.argsort(lo, kind="stable")
    after = np.searchsorted(lo[order], hi, side="right")
    proper = lo != hi
    p_order = order[proper[order]]
    p_lo = lo[p_order]
    t_from = np.searchsorted(p_lo, hi, side="left")
    t_count = np.where(proper, np.searchsorted(p_lo, hi, side="right") - t_from, 0)
    first = np.concatenate([np.repeat(np.arange(n), n - after), np.repeat(np.arange(n), t_count)])
    second = np.concatenate([order[concat_ranges(after, n - after)], p_order[concat_ranges(t_from, t_count)]])
    i, j = np.minimum(first, second), np.maximum(first, second)
    by_pair = np.lexsort((j, i))
    return i[by_pair], j[by_pair]


def count_conflicting_pairs(ivs: list[tuple[float, float]]) -> int:
    """``len(conflicting_pairs(ivs))`` in O(n log n), whatever the output size: a pair disagrees
    iff one interval ends before the other starts, or they only touch and neither is a point.
    (Plain bisect: most calls are on an article's few claims, where numpy's overhead would rule.)"""
    lows = sorted(lo for lo, _ in ivs)
    proper = sorted(lo for lo, hi in ivs if lo != hi)
    n = 0
    for lo, hi in ivs:
        n += len(lows) - bisect_right(lows, hi)
        if lo != hi:
            n += bisect_right(proper, hi) - bisect_left(proper, hi)
    return n


def count_within_article_conflicts(ivs: list[tuple[float, float]], articles: list[str]) -> int:
    """Conflicting pairs whose two claims come from the same article, counted per article."""
    by_article: dict[str, list[tuple[float, float]]] = {}
    for iv, art in zip(ivs, articles):
        by_article.setdefault(art, []).append(iv)
    return sum(count_conflicting_pairs(v) for v in by_article.values() if len(v) > 1)


# --- heterogeneity --------------------------------------------------------------------------
def effect_variances(claims: pd.DataFrame) -> pd.Series:
    """Variance of each claim's effect, only where the page gives what it needs; NaN otherwise.

    A 95 % interval (``ci_low``/``ci_high``) gives se = width / 3.92; a percentage with a sample
    size (``sample_size``) gives p(1-p)/n. Nothing is ever assumed: claims without these columns
    have no variance.
    """
    var = pd.Series(np.nan, index=claims.index, dtype=float)
    if {"ci_low", "ci_high"} <= set(claims.columns):
        lo = pd.to_numeric(claims["ci_low"], errors="coerce")
        hi = pd.to_numeric(claims["ci_high"], errors="coerce")
        var = var.fillna(((hi - lo) / 3.92) ** 2)
    if "sample_size" in claims.columns:
        n = pd.to_numeric(claims["sample_size"], errors="coerce")
        p = pd.to_numeric(claims["value_low"], errors="coerce") / 100.0
        is_pct = claims["unit"].astype(str) == "percent"
        v = (p * (1 - p) / n).where(is_pct & (n > 0) & p.between(0, 1))
        var = var.fillna(v * 100.0 ** 2)
    return var.where(var > 0)


def heterogeneity(claims: pd.DataFrame) -> tuple[str, float, float]:
    """(text, Q, I²) for a group's effects via statsmodels ``combine_effects``, or the documented
    'not computable' text when fewer than two sources give a variance."""
    cfg = settings()["heterogeneity"]
    if claims.empty or not ({"ci_low", "ci_high", "sample_size"} & set(claims.columns)):
        return cfg["not_computable"], math.nan, math.nan
    var = effect_variances(claims)
    eff = (pd.to_numeric(claims["value_low"], errors="coerce")
           + pd.to_numeric(claims["value_high"], errors="coerce")) / 2
    ok = var.notna() & eff.notna()
    if "article" in claims.columns and claims.loc[ok, "article"].nunique() < int(cfg["min_effects"]):
        return cfg["not_computable"], math.nan, math.nan
    if ok.sum() < int(cfg["min_effects"]):
        return cfg["not_computable"], math.nan, math.nan
    from statsmodels.stats.meta_analysis import combine_effects

    with np.errstate(invalid="ignore", divide="ignore"):  # tau² = 0 gives harmless NaN side stats
        res = combine_effects(eff[ok].to_numpy(float), var[ok].to_numpy(float), method_re="dl")
    q, i2 = float(res.q), float(res.i2)
    return f"Q={q:.3g}, I²={100 * i2:.0f}% (k={int(ok.sum())})", q, i2


# --- groups -----------------------------------------------------------------------------------
def _verdict(n_origins_compared: int, n_compared: int, n_best: int) -> str:
    if n_origins_compared < 2:
        return "single_source"
    if n_best == n_compared:
        return "consistent"
    if n_best > float(settings()["partly_min_share"]) * n_compared:
        return "partly_consistent"
    return "conflicting"


def _consensus_text(lo: float, hi: float, unit: str) -> str:
    """Readable consensus: "[0, 24] hour", "≥ 72 hour"; the CSV keeps unbounded ends empty."""
    if math.isnan(lo) or math.isnan(hi):
        return ""
    if math.isinf(hi):
        return f"≥ {_fmt(lo)} {unit}".strip()
    if math.isinf(lo):
        return f"≤ {_fmt(hi)} {unit}".strip()
    return f"[{_fmt(lo)}, {_fmt(hi)}] {unit}".strip()


def consensus_membership(claims: pd.DataFrame) -> pd.Series:
    """Per grouped claim: True when it is in its group's largest agreeing set, False when it
    departs from it; NA for ungrouped or non-comparable claims."""
    out = pd.Series(pd.NA, index=claims.index, dtype="boolean")
    grouped = claims[claims["group_id"].astype(str) != ""]
    ivs = intervals(grouped)
    for _, g in grouped.groupby("group_id", sort=True):
        iv = ivs.loc[g.index]
        iv = iv[iv["low"].notna() & iv["high"].notna()]
        if len(set(iv["base_unit"])) != 1:
            continue
        members, _, _ = max_clique([(float(a), float(b)) for a, b in zip(iv["low"], iv["high"])])
        keep = set(members)
        for k, idx in enumerate(iv.index):
            out.at[idx] = k in keep
    return out


def _label(c: Concept | None, lang: str, fallback: str) -> str:
    return (c.labels.get(lang) if c else None) or fallback


def group_claims(claims: pd.DataFrame, overrides: pd.DataFrame | None = None,
                 documents: pd.DataFrame | None = None,
                 texts: Mapping[str, str] | None = None,
                 keys: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims with ``group_id``, groups table). Pure; ungrouped claims get ``""``.

    ``overrides`` defaults to the packaged (empty) file; the main job passes
    ``load_overrides(claims_dir)``. ``documents``/``texts`` improve matching (titles, the sentence
    before) and are optional. ``keys``: the claims' ``concept_keys`` when already computed (the
    Dask workers compute them per partition).
    """
    claims = claims.copy(deep=False)  # copy-on-write (pandas 3): the caller's frame never changes
    if claims.empty:
        claims["group_id"] = pd.Series(dtype=object)
        return claims, pd.DataFrame(columns=GROUP_TABLE_COLUMNS)
    if keys is None:
        keys = concept_keys(claims, documents, texts)
    ov = load_overrides(None) if overrides is None else overrides
    claims["group_id"] = apply_overrides(claims["claim_id"], keys["auto_group_id"], ov).values
    groups = groups_table(claims, keys)
    return claims, groups


def _group_parts(gid: str, auto_keys: Iterable[tuple[str, str, str]]) -> tuple[str, str, str]:
    """(subject, measure, family) of a group: the smallest automatic key among its claims, else
    parsed from the id (a reviewer's own group)."""
    auto = [k for k in auto_keys if k[0]]
    if auto:
        return min(auto)
    parts = gid.split("-")
    return (parts[1], parts[2], parts[3]) if len(parts) > 3 else ("", "", "")


def _n_distinct(values: Iterable) -> int:
    """Distinct non-missing values (``Series.nunique``); missing ones are tested once each."""
    distinct = set(values)
    return len(distinct) - sum(1 for v in distinct if _is_missing(v))


_HETEROGENEITY_INPUTS = {"ci_low", "ci_high", "sample_size"}
# the claim columns the groups table reads (copying only these is much cheaper than every column)
_GROUP_INPUTS = {"group_id", "article", "sentence", *_INTERVAL_COLUMNS, *_HETEROGENEITY_INPUTS}


def groups_table(claims: pd.DataFrame, keys: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group: agreement measures over the group's normalized intervals.

    Works on plain per-claim lists of the grouped claims and each group's row positions (one
    ``groupby(...).indices``): no per-group DataFrame indexing. ``keys`` rows match ``claims`` rows.
    """
    if keys is None:
        keys = concept_keys(claims)
    elif not keys.index.equals(claims.index):
        keys = keys.loc[claims.index]
    lex = lexicon()
    is_grouped = (claims["group_id"].astype(str) != "").to_numpy()
    grouped = claims.loc[is_grouped, [c for c in claims.columns if c in _GROUP_INPUTS]]
    ivs = intervals(grouped)
    origins = origin_ids(grouped).tolist() if not grouped.empty else []
    key_rows = list(zip(*(keys[c].to_numpy(object)[is_grouped].tolist()
                          for c in ("subject_concept", "measure_concept", "unit_family"))))
    low, high = ivs["low"].to_numpy(float), ivs["high"].to_numpy(float)
    comparable = ~(np.isnan(low) | np.isnan(high))
    base_unit = ivs["base_unit"].tolist()
    articles = grouped["article"].tolist()
    units = grouped["unit"].tolist()
    periods = _column(grouped, "rate_period", "")
    het_cols = bool(_HETEROGENEITY_INPUTS & set(claims.columns))
    rows = []
    for gid, pos in grouped.groupby("group_id", sort=True).indices.items():
        pos = pos.tolist()
        subj, meas, fam = _group_parts(gid, (key_rows[i] for i in pos))
        fams = {f[0] for f in (unit_family(str(units[i]), str(periods[i] or "")) for i in pos) if f is not None}
        base_units = sorted({base_unit[i] for i in pos} - {""})
        # a reviewer merge across families: intervals are not comparable
        cmp = [i for i in pos if comparable[i]] if len(fams) <= 1 else []
        pairs = [(float(low[i]), float(high[i])) for i in cmp]
        members, c_lo, c_hi = max_clique(pairs)
        n_conf = count_conflicting_pairs(pairs)  # counted, never listed: O(n log n) per group
        within = count_within_article_conflicts(pairs, [str(articles[i]) for i in cmp])
        n_pairs = len(pairs) * (len(pairs) - 1) // 2
        n_orig_cmp = _n_distinct(origins[i] for i in cmp)
        het, q, i2 = heterogeneity(grouped.iloc[cmp]) if het_cols \
            else (settings()["heterogeneity"]["not_computable"], math.nan, math.nan)
        s_c, m_c = lex.subjects.get(subj), lex.measures.get(meas.removesuffix(CHANGE_SUFFIX))
        rows.append({
            "group_id": gid, "subject": subj, "measure": meas,
            "unit": base_units[0] if len(base_units) == 1 else ";".join(base_units),
            "unit_family": fam if len(fams) <= 1 else ";".join(sorted(fams)),
            "verdict": _verdict(n_orig_cmp, len(pairs), len(members)),
            "n_claims": len(pos), "n_compared": len(pairs), "n_articles": _n_distinct(articles[i] for i in pos),
            "n_origins": _n_distinct(origins[i] for i in pos), "max_agreeing": len(members),
            "agreement": round(1 - n_conf / n_pairs, 4) if n_pairs else math.nan,
            "consensus_low": c_lo if math.isfinite(c_lo) else math.nan,
            "consensus_high": c_hi if math.isfinite(c_hi) else math.nan,
            "consensus": _consensus_text(c_lo, c_hi, base_units[0] if len(base_units) == 1 else ""),
            "n_conflict_pairs": n_conf, "n_within_article_conflicts": within,
            "heterogeneity": het, "q": q, "i2": i2,
            "subject_label": _label(s_c, "en", subj),
            "measure_label": ("change in " if meas.endswith(CHANGE_SUFFIX) else "") + _label(m_c, "en", meas),
            "subject_label_zh": _label(s_c, "zh-Hans", subj),
            "measure_label_zh": _label(m_c, "zh-Hans", meas) + ("变化" if meas.endswith(CHANGE_SUFFIX) else ""),
        })
    out = pd.DataFrame(rows, columns=GROUP_TABLE_COLUMNS)
    for c in ("n_claims", "n_compared", "n_articles", "n_origins", "max_agreeing", "n_conflict_pairs",
              "n_within_article_conflicts"):
        out[c] = out[c].astype("int64")
    return out.sort_values("group_id", kind="stable").reset_index(drop=True)


def conflicts(claims: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pair of claims in one group whose intervals do not agree, with quotes for review.

    ``same_article`` marks within-article conflicts (a page contradicting itself). The pairs are
    generated from sorted intervals, O(n log n + k) per group for k pairs (never all pairs), and
    the table is built column-wise.
    """
    return _conflict_table(claims, groups, same_article_only=False)


def _within_article_pairs(lo: np.ndarray, hi: np.ndarray, articles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_disagreeing`` restricted to pairs of one article (missing articles pair with none)."""
    by_article: dict = {}
    for k, art in enumerate(articles.tolist()):
        if not pd.isna(art):
            by_article.setdefault(art, []).append(k)
    firsts, seconds = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)]
    for members in by_article.values():
        if len(members) > 1:
            m = np.array(members)
            i, j = _disagreeing(lo[m], hi[m])
            firsts.append(m[i])
            seconds.append(m[j])
    i, j = np.concatenate(firsts), np.concatenate(seconds)  # members ascend, so i < j still
    by_pair = np.lexsort((j, i))
    return i[by_pair], j[by_pair]


def _conflict_table(claims: pd.DataFrame, groups: pd.DataFrame | None, same_article_only: bool) -> pd.DataFrame:
    """The ``conflicts`` table, or only its within-article rows (without listing the others)."""
    grouped = claims[claims["group_id"].astype(str) != ""]
    if groups is not None and not groups.empty:
        grouped = grouped[grouped["group_id"].isin(set(groups["group_id"]))]
    ivs = intervals(grouped)
    low, high = ivs["low"].to_numpy(float), ivs["high"].to_numpy(float)
    comparable = ~(np.isnan(low) | np.isnan(high))
    base_unit = ivs["base_unit"].tolist()
    cols: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:  # a claim column as Python objects, read on first use
        if name not in cols:
            cols[name] = grouped[name].to_numpy(object) if name in grouped.columns or name != "sentence" \
                else np.full(len(grouped), "", dtype=object)
        return cols[name]

    parts: list[dict[str, np.ndarray]] = []
    for gid, pos in grouped.groupby("group_id", sort=True).indices.items():
        pos = pos[comparable[pos]]
        if len({str(base_unit[p]) for p in pos}) > 1:
            continue
        lo, hi = low[pos], high[pos]
        i, j = _within_article_pairs(lo, hi, col("article")[pos]) if same_article_only else _disagreeing(lo, hi)
        if not len(i):
            continue
        ids = np.array([str(c) for c in col("claim_id")[pos]], dtype=object)
        swap = ids[i] > ids[j]  # claim_a is the smaller claim id (as text)
        i, j = np.where(swap, j, i), np.where(swap, i, j)
        a, b = pos[i], pos[j]
        part = {"group_id": np.full(len(i), gid, dtype=object)}
        for name, key in (("claim", "claim_id"), ("article", "article"), ("quote", "quote")):
            part[f"{name}_a"], part[f"{name}_b"] = col(key)[a], col(key)[b]
        part["same_article"] = (part["article_a"] == part["article_b"]).astype(bool)
        part["sentence_a"], part["sentence_b"] = col("sentence")[a], col("sentence")[b]
        part["low_a"], part["high_a"], part["low_b"], part["high_b"] = lo[i], hi[i], lo[j], hi[j]
        part["unit"] = np.full(len(i), str(base_unit[pos[0]]), dtype=object)
        parts.append(part)
    if not parts:
        return pd.DataFrame([], columns=CONFLICT_COLUMNS)
    data = {c: np.concatenate([p[c] for p in parts]) for c in CONFLICT_COLUMNS}
    out = pd.DataFrame({c: v.tolist() if v.dtype == object else v for c, v in data.items()}, columns=CONFLICT_COLUMNS)
    return out.sort_values(["group_id", "claim_a", "claim_b"], kind="stable").reset_index(drop=True)


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    return format(round(v, 4), "g")


def within_article_conflicts(claims: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Conflicts inside one article (a page contradicting itself): article, group_id, claim_a,
    claim_b, reason — flagged apart from cross-article disagreement."""
    c = _conflict_table(claims, groups, same_article_only=True)  # never lists cross-article pairs
    c = c.loc[c["same_article"].astype(bool).to_numpy()].copy()
    c["article"] = c["article_a"]
    c["reason"] = [f"{qa} [{_fmt(la)}, {_fmt(ha)}] vs {qb} [{_fmt(lb)}, {_fmt(hb)}] {u}: no overlap"
                   for qa, la, ha, qb, lb, hb, u in zip(c["quote_a"], c["low_a"], c["high_a"], c["quote_b"],
                                                       c["low_b"], c["high_b"], c["unit"])]
    return c[["article", "group_id", "claim_a", "claim_b", "reason"]].reset_index(drop=True)
