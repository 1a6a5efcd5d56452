"""What a quantitative claim says about its own evidence: cue, hedges, kind, subject and measure.

All phrases live in ``data/cues/{zh,en}.yaml`` and ``data/kinds.yaml``; this module only finds
them. Chinese is matched on ``textnorm.simplified_view(text)`` (same length as the text), so a
traditional-script page hits the same phrases at the same offsets and converting a page between
scripts changes no annotation.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from operator import methodcaller
from typing import Any, Iterable, Sequence

from . import textnorm
from .literals import LiteralScreen, Prefilter, literal_screen, prefilter, trie
from .config import load_yaml

EVIDENCE_CUES = ("systematic_review", "guideline", "rct", "observational_study", "clinical_study",
                 "case_report", "animal_study", "unspecified_study", "tcm_theory", "expert_opinion",
                 "none")
KINDS = ("effect_size", "time_course", "threshold", "procedure", "recommendation", "risk_group",
         "other")
TIME_UNITS = frozenset(("second", "minute", "hour", "day", "week", "month", "year"))
_CLAUSE_DELIM = re.compile(r"[，；：;:]|,(?!\d)")
# The last delimiter of a span (``.*`` backtracks from the span's end): the last match
# ``_CLAUSE_DELIM.finditer`` would give there, found without a Python loop over the others.
_LAST_CLAUSE_DELIM = re.compile(rf"(?s:.*)(?:{_CLAUSE_DELIM.pattern})")
# A number in a sentence (digits, or a Chinese numeral before a unit): see choose_cue.
_NUMBER_HINT = re.compile(r"[0-9０-９]|[一二两三四五六七八九十半几数][个]?[天周月年小时分秒岁次倍]")
_TRAIL_PUNCT = "，。；：,.;:!?！？、 \t\n"


@dataclass(frozen=True)
class Hit:
    """One phrase found in the text: absolute span, the original text, and its label."""

    start: int
    end: int
    text: str
    label: str = ""


def family(lang: str) -> str:
    """Grammar family of a language code: ``zh`` for both Chinese scripts, else ``en``."""
    return "zh" if str(lang).startswith("zh") else "en"


@lru_cache(maxsize=None)
def phrases(fam: str) -> dict[str, Any]:
    """The cue phrase file of a language family, as named by the rubric's ``phrase_files``
    (``data/cues/zh.yaml`` / ``en.yaml``)."""
    rel = load_yaml("rubric.yaml").get("phrase_files", {}).get(fam, f"cues/{fam}.yaml")
    return load_yaml(*rel.split("/"))


@lru_cache(maxsize=None)
def _compile(fam: str, patterns: tuple[str, ...]) -> re.Pattern | None:
    """One alternation; English gets word boundaries and ignores case. Chinese phrases are
    joined bare: ``a|b`` is the alternation ``(?:a)|(?:b)`` is, but when every phrase starts
    with a plain character the engine can skip ahead to those characters."""
    if not patterns:
        return None
    if fam == "en":  # word boundaries, except around symbol-only phrases such as "~"
        return re.compile(_en_body(patterns), re.IGNORECASE)
    return re.compile("|".join(patterns))


def _en_body(patterns: tuple[str, ...]) -> str:
    """The English alternation: each worded phrase between word-boundary look-arounds, symbol-only
    phrases bare, in file order. A run of worded phrases shares one look-behind instead of
    repeating it per phrase; it is zero-width, so the regex matches exactly the same spans with the
    same winning alternative, but the look-behind is tested once per position instead of once per
    phrase per position (English scans were 4-10x slower)."""
    parts: list[str] = []
    run: list[str] = []
    for p in patterns:
        if re.search(r"[A-Za-z0-9]", p):
            run.append(rf"(?:{p})(?![\w-])")
            continue
        if run:
            parts.append(r"(?<![\w-])(?:" + "|".join(run) + ")")
            run = []
        parts.append(f"(?:{p})")
    if run:
        parts.append(r"(?<![\w-])(?:" + "|".join(run) + ")")
    return "|".join(parts)


@lru_cache(maxsize=None)
def pattern(fam: str, key: str, sub: str | None = None) -> re.Pattern | None:
    """Compiled regex of a phrase list (``key`` or ``key.sub``) of the cue file (cached: the
    phrase files are read-only, and this is looked up once per phrase class per claim)."""
    node = phrases(fam).get(key, [])
    if sub is not None:
        node = (node or {}).get(sub, [])
    return _compile(fam, tuple(node or ()))


@lru_cache(maxsize=64)
def _zh_view(text: str) -> str:
    return textnorm.simplified_view(text)


def view(text: str, fam: str) -> str:
    """The string phrases are matched on: the simplified view for zh, the text itself for en."""
    return _zh_view(text) if fam == "zh" else text


def find(text: str, fam: str, key: str, a: int, b: int, sub: str | None = None,
         label: str = "") -> list[Hit]:
    """Non-empty hits of a phrase list inside ``[a, b)``, as spans of the original text."""
    if a >= b:
        return []
    return list(_find(text, fam, key, a, b, sub, label or key))


@lru_cache(maxsize=16384)
def _find(text: str, fam: str, key: str, a: int, b: int, sub: str | None,
          label: str) -> tuple[Hit, ...]:
    """``find``, memoised: a sentence's span is searched for the same phrases by every claim in
    it, by the next sentence's claims (previous-sentence cue) and again by grading."""
    pat = pattern(fam, key, sub)
    return () if pat is None else tuple(_hits(pat, text, view(text, fam), a, b, label))


def _hits(pat: re.Pattern, text: str, v: str, a: int, b: int, label: str) -> list[Hit]:
    """The non-empty matches of ``pat`` in ``v[a:b]`` (the view of ``text``) as hits of ``text``."""
    return [Hit(i, j, text[i:j], label) for i, j in map(_SPAN, pat.finditer(v, a, b)) if j > i]


def has_hit(text: str, fam: str, key: str, a: int, b: int, sub: str | None = None) -> bool:
    """``bool(find(...))`` that stops at the first non-empty hit."""
    pat = pattern(fam, key, sub)
    if pat is None or a >= b:
        return False
    return any(m.end() > m.start() for m in pat.finditer(view(text, fam), a, b))


@dataclass(frozen=True)
class _Phrases:
    """One phrase list ready to search: its regex, its literal prefilter and its hits' label."""

    pattern: re.Pattern | None
    prefilter: Prefilter | None
    label: str

    def hits(self, text: str, v: str, a: int, b: int, span: str | None = None,
             lowered: str | None = None) -> list[Hit]:
        """``find`` behind the prefilter, in the view ``v`` of ``text``: most spans hold no hit
        of a given list, and ruling that out on literals is several times cheaper than the
        search. ``span``/``lowered``: ``v[a:b]`` and its lowercase when the caller has them."""
        pat, pre = self.pattern, self.prefilter
        if pat is None or a >= b:
            return []
        if pre is not None and not pre.may_match(v[a:b] if span is None else span, lowered):
            return []
        return _hits(pat, text, v, a, b, self.label)


_SPAN = methodcaller("span")


@lru_cache(maxsize=None)
def _phrase_list(fam: str, key: str, sub: str | None = None, label: str = "") -> _Phrases:
    """The ``_Phrases`` of a phrase list (``key`` or ``key.sub``); hits labelled ``label`` or
    else the list's name, as ``find`` labels them."""
    return _Phrases(pattern(fam, key, sub), list_prefilter(fam, key, sub), label or key)


@lru_cache(maxsize=None)
def _class_lists(fam: str, key: str) -> tuple[_Phrases, ...]:
    """The classes of a grouped phrase list (``evidence``, ``markers``), each labelled with its
    class, in file order."""
    return tuple(_phrase_list(fam, key, cls, cls) for cls in phrases(fam).get(key) or {})


# --- literal prefilters (``literals``) --------------------------------------------------------
@lru_cache(maxsize=None)
def list_prefilter(fam: str, key: str, sub: str | None = None) -> Prefilter | None:
    """The ``Prefilter`` of one phrase list (``key`` or ``key.sub``) of the cue file."""
    pat = pattern(fam, key, sub)
    return None if pat is None else prefilter((pat,))


@lru_cache(maxsize=None)
def _group_pattern(fam: str, key: str) -> re.Pattern | None:
    """One alternation of all classes of a grouped phrase list (``evidence``, ``markers``,
    ``citations``): a span where it finds nothing holds no hit of any class, so the per-class
    searches are skipped. ``None`` when there is nothing to search or the union does not compile."""
    node = phrases(fam).get(key) or {}
    pats = tuple(p for cls in node for p in (node.get(cls) or ()))
    if fam != "en":  # English phrases carry a look-behind at their start: keep them whole
        pats = tuple(dict.fromkeys(_strip_optional_prefix(p) for p in pats))
    try:
        return _compile(fam, pats)
    except re.error:  # pragma: no cover - the classes compile one by one; the union should too
        return None


_OPTIONAL_PREFIX = re.compile(r"^(?:\[(?:\\.|[^\]\\])+\](?:\{0,\d*\}|\*|\?)|\((?:\\.|[^()\\])*\)\?"
                              r"|(?:\\[^\d]|[^\\\[\]()|*+?{}.^$])(?:\?|\*|\{0,\d*\}))\??")


def _strip_optional_prefix(p: str) -> str:
    """A phrase minus leading elements that may match nothing (``[^，]{0,8}``, ``(有|一项)?``, ``《?``).

    Only for the prefilter: any match of the phrase contains a match of the rest, so the rest
    finding nothing still proves the phrase finds nothing, while a leading ``[^，]{0,8}`` made the
    union try up to 8 characters at every position. The phrase is kept whole when the rest would
    be empty or not compile."""
    out = p
    while True:
        m = _OPTIONAL_PREFIX.match(out)
        if not m or m.end() >= len(out) or out[m.end()] in "*+?{|)":
            break
        out = out[m.end():]
    try:
        re.compile(out)
    except re.error:
        return p
    return out if out else p


def group_may_match(text: str, fam: str, key: str, a: int, b: int) -> bool:
    """Whether any class of the grouped phrase list ``key`` can have a hit inside ``[a, b)``.

    Exact as a filter: the union alternation matches at every position where one of its classes
    matches, so no match of the union means no match of any class. The group's literals are
    tested first (``prefilter``): a span holding none of them cannot match the union either."""
    if a >= b:
        return False
    node = phrases(fam).get(key) or {}
    if not node:
        return False
    v = view(text, fam)
    pre = _group_prefilter(fam, key)
    if pre is not None and not pre.may_match(v[a:b]):
        return False
    pat = _group_pattern(fam, key)
    return True if pat is None else pat.search(v, a, b) is not None


@lru_cache(maxsize=None)
def _group_prefilter(fam: str, key: str) -> Prefilter | None:
    """The literal prefilter of all classes of a grouped phrase list (see ``prefilter``)."""
    node = phrases(fam).get(key) or {}
    return prefilter(tuple(p for cls in node if (p := pattern(fam, key, cls)) is not None))


def _non_overlapping(hits: Iterable[Hit]) -> list[Hit]:
    """Earliest start wins, then the longest: '临床研究显示' beats the '研究显示' inside it."""
    hits = list(hits)
    if len(hits) < 2:
        return hits
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def _merge_attribution(text: str, hits: list[Hit], gap: int = 2) -> list[Hit]:
    """A named design right before a generic attribution is one cue: 前瞻性队列 + 研究发现 →
    前瞻性队列研究发现 (observational_study), not the generic "研究发现"."""
    out: list[Hit] = []
    for h in hits:
        if out and h.label == "unspecified_study" and out[-1].label != "unspecified_study" \
                and 0 <= h.start - out[-1].end <= gap:
            p = out.pop()
            h = Hit(p.start, h.end, text[p.start:h.end], p.label)
        out.append(h)
    return out


def evidence_hits(text: str, fam: str, a: int, b: int) -> list[Hit]:
    """Tier-1 evidence cues in ``[a, b)``, labelled with their class, overlaps resolved."""
    return list(_evidence_hits(text, fam, a, b))


@lru_cache(maxsize=4096)
def _evidence_hits(text: str, fam: str, a: int, b: int) -> tuple[Hit, ...]:
    return tuple(_evidence_in(text, fam, a, b))


def _evidence_in(text: str, fam: str, a: int, b: int) -> list[Hit]:
    """``evidence_hits`` unmemoised (``DocumentCues`` keeps a sentence's itself)."""
    return _merge_attribution(text, _non_overlapping(_group_hits(text, fam, "evidence", a, b)))


def marker_hits(text: str, fam: str, a: int, b: int) -> list[Hit]:
    """Bare design words (大鼠, mice, 双盲) in ``[a, b)``."""
    return list(_marker_hits(text, fam, a, b))


@lru_cache(maxsize=4096)
def _marker_hits(text: str, fam: str, a: int, b: int) -> tuple[Hit, ...]:
    return tuple(_markers_in(text, fam, a, b))


def _markers_in(text: str, fam: str, a: int, b: int) -> list[Hit]:
    """``marker_hits`` unmemoised (``DocumentCues`` keeps a sentence's itself)."""
    return _non_overlapping(_group_hits(text, fam, "markers", a, b))


def _group_hits(text: str, fam: str, key: str, a: int, b: int) -> list[Hit]:
    """The hits of every class of a grouped phrase list in ``[a, b)``, each labelled with its
    class. Literal prefilters first, for the whole group and then per class: most sentences
    hold no cue, and a class's literals are cheaper to test than its phrases (or the union of
    all classes, which is slow for lack of a shared leading literal)."""
    if a >= b:
        return []
    v = view(text, fam)
    span, lowered = _with_lowered(v[a:b])  # lowered: for the case-insensitive tests
    pre = _group_prefilter(fam, key)
    if pre is not None and not pre.may_match(span, lowered):
        return []
    hits: list[Hit] = []
    for cls in _class_lists(fam, key):
        hits.extend(cls.hits(text, v, a, b, span, lowered))
    return hits


def clause_span(text: str, sent: tuple[int, int], q_start: int, q_end: int) -> tuple[int, int]:
    """The comma/semicolon/colon-delimited piece of the sentence that holds the quantity."""
    s, e = sent
    m = _LAST_CLAUSE_DELIM.match(text, s, q_start)
    a = m.end() if m else s
    m = _CLAUSE_DELIM.search(text, q_end, e)
    b = m.start() if m else e
    return a, max(b, q_end)


def choose_cue(text: str, fam: str, sent: tuple[int, int], prev: tuple[int, int] | None,
               q_start: int, q_end: int) -> Hit | None:
    """The evidence cue governing a claim.

    Order: the tier-1 cue closest before the quantity in its sentence; else one after it in the
    sentence; else the last one of the previous sentence; else a bare design marker in the
    sentence. An unspecified "研究发现" is refined by a design marker in the same sentence
    (研究发现…大鼠 → animal_study), keeping the attribution phrase as the cue span.

    A previous-sentence cue already spent on a number of its own sentence does not carry over,
    except an advice cue (``advice_cues``: 专家表示, doctors recommend) when the claim's sentence
    continues the advice (an ``advice_markers`` phrase: 可以, 建议, you can, try): "专家表示…建议
    运动超过1小时补充电解质。抽筋时可以慢慢拉伸，每次维持15~30秒" is still the expert's advice.
    Never more than one sentence back.
    """
    return _choose_cue(text, fam, sent, prev, q_start, q_end, True, True)


def _choose_cue(text: str, fam: str, sent: tuple[int, int], prev: tuple[int, int] | None,
                q_start: int, q_end: int, may_cue: bool, may_mark: bool) -> Hit | None:
    """``choose_cue``; ``may_cue`` / ``may_mark`` False when the sentence is known to hold no
    evidence cue / design marker (``_Gates``), which skips its searches."""
    s, e = sent
    cue = _cue_around(evidence_hits(text, fam, s, e), q_start, q_end) if may_cue else None
    if cue is None and prev is not None:
        cue = _carried_cue(text, fam, sent, prev)
    if not may_mark or (cue is not None and cue.label != "unspecified_study"):
        return cue  # the markers would change nothing
    return _with_marker(cue, marker_hits(text, fam, s, e))


def _cue_around(hits: Sequence[Hit], q_start: int, q_end: int) -> Hit | None:
    """Of a sentence's evidence cues, the one closest before the quantity, else the first
    after it."""
    before = [h for h in hits if h.end <= q_start]
    if before:
        return before[-1]
    return next((h for h in hits if h.start >= q_end), None)


def _carried_cue(text: str, fam: str, sent: tuple[int, int], prev: tuple[int, int]) -> Hit | None:
    """The previous sentence's last evidence cue when it carries over to ``sent``: not spent on
    a number of its own sentence, or an advice cue that ``sent`` continues (see ``choose_cue``).
    The same for every claim of the sentence."""
    end = min(prev[1], sent[0])
    ph = _evidence_in(text, fam, prev[0], end)
    if ph and (not _NUMBER_HINT.search(text, ph[-1].end, end)
               or _continues_advice(text, fam, ph[-1], sent)):
        return ph[-1]
    return None


def _with_marker(cue: Hit | None, markers: Sequence[Hit]) -> Hit | None:
    """No cue: the sentence's first design marker; an unspecified one refined by it."""
    if cue is None:
        return markers[0] if markers else None
    if markers:
        return Hit(cue.start, cue.end, cue.text, markers[0].label)
    return cue


def _continues_advice(text: str, fam: str, cue: Hit, sent: tuple[int, int]) -> bool:
    """An advice cue (``advice_cues``) of the previous sentence whose advice the sentence
    continues (an ``advice_markers`` phrase in it)."""
    if cue.label not in (phrases(fam).get("advice_cues") or ()):
        return False
    return bool(find(text, fam, "advice_markers", sent[0], sent[1]))


def _author_hit(text: str, doc_author: str, a: int, b: int) -> Hit | None:
    """Where the author's name is printed between the document start and the claim, if at all."""
    name = doc_author.strip()
    if not name or a >= b:
        return None
    i = text.rfind(name, a, b)
    return Hit(i, i + len(name), name, "expert_opinion") if i >= 0 else None


@lru_cache(maxsize=256)
def _first_reply_marker(text: str, fam: str, doc_start: int, after: str = "") -> int:
    """End of the first reply/greeting marker at or after ``doc_start`` (-1: none); cached per
    document (``doc_is_reply`` asks once per claim). When ``after`` (the author's name) is printed in
    the document before a marker, the search starts at the name's first printing, so the asker's
    own greeting (医生您好, "Hello doctor") above the answer does not make the question a reply."""
    name = after.strip()
    if name:
        i = text.find(name, doc_start)
        end = _reply_marker_end(text, fam, i + len(name)) if i >= 0 else -1
        if end >= 0:
            return end
    return _reply_marker_end(text, fam, doc_start)


def _reply_marker_end(text: str, fam: str, pos: int) -> int:
    """End of ``pattern(fam, "reply_markers").search(view, pos)`` (-1: none), looked up in the
    markers of the whole text: a page holds many documents, and scanning from each one's start
    to the page end made the scans quadratic in the number of documents."""
    starts, ends = _reply_markers(text, fam)
    j = bisect_left(starts, pos)
    if j and ends[j - 1] > pos:  # a marker straddles pos: the scan from pos may differ
        m = pattern(fam, "reply_markers").search(view(text, fam), pos)
        return m.end() if m else -1
    return ends[j] if j < len(ends) else -1


@lru_cache(maxsize=16)
def _reply_markers(text: str, fam: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the reply markers ``finditer`` finds in the whole view.

    The first marker starting at or after ``pos`` is what a search from ``pos`` finds, unless an
    earlier marker ends after ``pos``: ``finditer`` resumed its scan at that end, and no match
    starts between it and the next one it reports (match spans do not depend on where a scan
    started; look-behinds see the whole string either way)."""
    pat, pre = pattern(fam, "reply_markers"), list_prefilter(fam, "reply_markers")
    v = view(text, fam)
    if pat is None or (pre is not None and not pre.may_match(v)):
        return [], []
    spans = [m.span() for m in pat.finditer(v)]
    return [a for a, _ in spans], [b for _, b in spans]


def doc_is_reply(text: str, fam: str, doc_start: int | None, pos: int, author: str = "") -> bool:
    """A consultation reply: a reply/greeting marker between the document start (or the author's
    printed name, when printed before a marker) and the claim."""
    if doc_start is None:
        return False
    end = _first_reply_marker(text, fam, doc_start, author)
    return 0 <= end <= pos


def hedge_hits(text: str, fam: str, sent: tuple[int, int], q_start: int, q_end: int) -> list[Hit]:
    """Hedges from the sentence start to the end of the claim's clause, minus exclusions
    ("you may", 正常, 常见...), plus approximators touching the quantity (label ``approx``)."""
    return list(_hedge_hits(text, fam, sent[0], clause_span(text, sent, q_start, q_end)[1],
                            q_start, q_end))


@lru_cache(maxsize=4096)
def _hedge_hits(text: str, fam: str, s: int, c_end: int, q_start: int,
                q_end: int) -> tuple[Hit, ...]:
    """``hedge_hits`` from the sentence start ``s`` to the clause end ``c_end``, memoised:
    annotation and three grading rules ask for the same claim's."""
    v = view(text, fam)
    hedges = _phrase_list(fam, "hedges", None, "hedge").hits(text, v, s, c_end)
    if hedges:  # exclusions only ever remove hedges
        excl = _phrase_list(fam, "hedge_exclusions").hits(text, v, s, c_end)
        hedges = [h for h in hedges if not any(x.start <= h.start and h.end <= x.end for x in excl)]
    pad = 3 if fam == "zh" else 14
    a, b = max(s, q_start - pad), min(c_end, q_end + pad)
    approx = _phrase_list(fam, "approximators", None, "approx").hits(text, v, a, b)
    return tuple(sorted(_non_overlapping(hedges + approx), key=lambda h: h.start))


def _kind_rules() -> list[dict]:
    return load_yaml("kinds.yaml")["rules"]


SCOPES = ("clause", "sentence", "prev_clause", "before", "after", "rest")


def _words_match(text: str, fam: str, words: dict | None, a: int, b: int) -> bool:
    """Whether a phrase of ``words[fam]`` occurs in ``[a, b)``. The scope is cut out first, so
    ``^`` and ``$`` in a kinds.yaml phrase anchor at the scope's ends (``after: ^的?婴儿``)."""
    pat = _words_pattern(words, fam)
    return bool(pat and a < b and pat.search(view(text, fam)[a:b]))


_WORDS_PATTERNS: dict[tuple[int, str], tuple[Any, re.Pattern | None]] = {}


def _words_pattern(words: dict | None, fam: str) -> re.Pattern | None:
    """Compiled phrases of a kinds.yaml ``words`` node, memoised by the node's identity (the
    node is kept alive beside its pattern so the id cannot be reused)."""
    key = (id(words), fam)
    got = _WORDS_PATTERNS.get(key)
    if got is not None and got[0] is words:
        return got[1]
    pat = _compile(fam, tuple((words or {}).get(fam, []) or ()))
    _WORDS_PATTERNS[key] = (words, pat)
    return pat


def _scope_span(text: str, scope: str, sent: tuple[int, int], q: Any,
                clause: tuple[int, int] | None = None) -> tuple[int, int]:
    """The text a kinds rule looks at: the sentence, the claim's clause, the clause before, or the
    parts of the clause before/after the quantity, or the rest of the sentence after it.
    ``clause``: the claim's ``clause_span`` when the caller has it already."""
    if scope == "sentence":
        return sent
    if scope == "rest":
        return q.end, max(q.end, sent[1])
    a, b = clause if clause is not None else clause_span(text, sent, q.start, q.end)
    if scope == "before":
        return a, q.start
    if scope == "after":
        return q.end, b
    if scope == "prev_clause":
        if a <= sent[0]:
            return a, a
        pa = sent[0]
        for m in _CLAUSE_DELIM.finditer(text, sent[0], a - 1):
            pa = m.end()
        return pa, a
    return a, b


def rule_matches(rule: dict, text: str, fam: str, sent: tuple[int, int], q: Any) -> bool:
    """Whether one kinds.yaml rule holds for quantity ``q`` in ``sent`` (all conditions ANDed;
    ``also`` lists further {scope, words} conditions that must hold, ``unless`` is one that must
    NOT hold)."""
    return _rule_matches(rule, text, fam, sent, q, {})


def _rule_matches(rule: dict, text: str, fam: str, sent: tuple[int, int], q: Any,
                  spans: dict[str, tuple[int, int]]) -> bool:
    """``rule_matches`` with the claim's scope spans shared across rules (``spans``)."""
    def span(scope: str) -> tuple[int, int]:
        got = spans.get(scope)
        if got is None:
            got = spans[scope] = _scope_span(text, scope, sent, q)
        return got

    if "units" in rule and getattr(q, "unit", "") not in rule["units"]:
        return False
    if "comparators" in rule and getattr(q, "comparator", "") not in rule["comparators"]:
        return False
    if rule.get("rate_period") and not getattr(q, "rate_period", ""):
        return False
    if "words" in rule:
        a, b = span(rule.get("scope", "clause"))
        if not _words_match(text, fam, rule["words"], a, b):
            return False
    for cond in rule.get("also", []) or []:
        a, b = span(cond.get("scope", "clause"))
        if not _words_match(text, fam, cond.get("words"), a, b):
            return False
    unless = rule.get("unless")
    if unless:
        a, b = span(unless.get("scope", "clause"))
        if _words_match(text, fam, unless.get("words"), a, b):
            return False
    return True


def kind_rule(text: str, fam: str, sent: tuple[int, int], q: Any, *,
              clause: tuple[int, int] | None = None) -> dict | None:
    """The first ``data/kinds.yaml`` rule that holds (``None``: no rule, kind ``other``).
    ``clause``: the claim's ``clause_span`` when the caller has it already."""
    return _kind_rule(text, fam, sent, q, clause, {})


def _kind_rule(text: str, fam: str, sent: tuple[int, int], q: Any,
               clause: tuple[int, int] | None, cut: dict[str, tuple[str, str | None]],
               present: int = -1) -> dict | None:
    """``kind_rule``. ``cut``: scope -> (its text, lowercased if ASCII), the scopes the caller has
    cut out already (filled in here as the rules need more). ``present``: the sentence's
    ``_Screen`` mask (-1: nothing ruled out); a condition whose bit is clear has no hit in the
    sentence, so a rule needing it fails and an ``unless`` on it holds, without a search."""
    v = view(text, fam)
    for rule, need, conds in _rules_for(fam, getattr(q, "unit", ""), getattr(q, "comparator", ""),
                                        bool(getattr(q, "rate_period", ""))):
        if need & present != need:
            continue
        for scope, pat, pre, cased, wanted, bit in conds:
            if bit & present:
                got = cut.get(scope)
                if got is None:  # each scope is cut out once per claim (rules share scopes)
                    a, b = _scope_span(text, scope, sent, q, clause)
                    s = v[a:b] if a < b else ""
                    got = cut[scope] = _with_lowered(s)
                s, lowered = got
                if cased is not None:
                    found = cased(s) is not None and pat.search(s) is not None
                else:
                    found = bool(s) and (pre is None or pre.may_match(s, lowered)) \
                        and pat.search(s) is not None
            else:
                found = False
            if found is not wanted:
                break
        else:
            return rule
    return None


_COMPILED_RULES: dict[str, tuple[Any, tuple]] = {}
_RULES_FOR: dict[tuple[str, str, str, bool], tuple[list[dict], tuple]] = {}


def _rules_for(fam: str, unit: str, comparator: str, has_period: bool) -> tuple:
    """``(rule, need, conditions)`` of the compiled rules whose unit, comparator and rate-period
    requirements a quantity meets, in rule order: most rules name units or comparators, so the
    per-claim loop only visits the few that can apply. Rebuilt with ``_compiled_rules``."""
    rules = _kind_rules()
    key = (fam, unit, comparator, has_period)
    got = _RULES_FOR.get(key)
    if got is not None and got[0] is rules:
        return got[1]
    out = tuple((rule, need, conds) for rule, units, comparators, needs_period, need, conds
                in _compiled_rules(fam)
                if (units is None or unit in units)
                and (comparators is None or comparator in comparators)
                and (has_period or not needs_period))
    _RULES_FOR[key] = (rules, out)
    return out


def _compiled_rules(fam: str) -> tuple:
    """``data/kinds.yaml`` rules with their phrase lists compiled, as (rule, units, comparators,
    needs rate period, need, conditions as ``_condition`` gives them): the same conditions as
    ``rule_matches`` (``words``, then ``also``, then ``unless`` which must not
    match), without re-reading each rule per claim. ``need``: the ``_Screen`` bits of the
    conditions that must match. Rebuilt if the rules object changes."""
    rules = _kind_rules()
    got = _COMPILED_RULES.get(fam)
    if got is not None and got[0] is rules:
        return got[1]
    bits = _screen(fam).bits
    out = []
    for rule in rules:
        conds = tuple(_condition(scope, words, fam, wanted, bits)
                      for scope, words, wanted in _rule_conditions(rule))
        need = 0
        for *_, wanted, bit in conds:
            if wanted:
                need |= bit
        out.append((rule, rule["units"] if "units" in rule else None,
                    rule["comparators"] if "comparators" in rule else None,
                    bool(rule.get("rate_period")), need, conds))
    _COMPILED_RULES[fam] = (rules, tuple(out))
    return _COMPILED_RULES[fam][1]


def _rule_conditions(rule: dict) -> Iterable[tuple[str, dict | None, bool]]:
    """(scope, words, must match) of a kinds.yaml rule's phrase conditions, in the order
    ``rule_matches`` tests them: ``words``, each ``also``, then ``unless``."""
    if "words" in rule:
        yield rule.get("scope", "clause"), rule["words"], True
    for cond in rule.get("also", []) or []:
        yield cond.get("scope", "clause"), cond.get("words"), True
    unless = rule.get("unless")
    if unless:
        yield unless.get("scope", "clause"), unless.get("words"), False


def _condition(scope: str, words: dict | None, fam: str, wanted: bool, bits: dict[re.Pattern, int]
               ) -> tuple[str, re.Pattern | None, Prefilter | None, Any, bool, int]:
    """One compiled kinds condition: (scope, pattern, its prefilter, the prefilter's search when
    all its literals are case-sensitive, must match, screen bit). Most conditions fail on most
    claims, and their literals are cheaper to test than their phrases; a case-sensitive
    prefilter is just its ``cased`` search, called without the ``may_match`` frame. Without a
    pattern the condition never matches: bit 0, never searched."""
    pat = _words_pattern(words, fam)
    if pat is None:
        return scope, None, None, None, wanted, 0
    pre = prefilter((pat,))
    cased = pre.cased.search if pre is not None and pre.cased is not None \
        and pre.folded_rx is None else None
    return scope, pat, pre, cased, wanted, bits[pat]


# --- the sentence screen -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Screen:
    """Every phrase list annotation may search in a claim's sentence (kinds conditions, evidence
    and marker classes, hedges, approximators), one bit each: a list none of whose literals
    occur in the sentence has no hit in any part of it, and its searches are skipped.

    ``scans``: whether annotation scans the sentence for all literals at once
    (``LiteralScreen``) or asks each list's prefilter (``_Gates``, with all bits assumed set).
    One scan pays for case-insensitive lists, whose literals start with common letters so that
    each list's prefilter reads most of the sentence; case-sensitive (Chinese) lists are few
    per sentence position and cheaper to test one by one."""

    literals: LiteralScreen
    bits: dict[re.Pattern, int]
    evidence: int  # the bits of a whole group
    markers: int
    hedges: int  # hedges or approximators: ``_hedge_hits`` finds nothing without one of them
    scans: bool


_SCREENS: dict[str, tuple[Any, _Screen]] = {}


def _screen(fam: str) -> _Screen:
    """The ``_Screen`` of a language family (rebuilt when the kinds rules object changes)."""
    rules = _kind_rules()
    got = _SCREENS.get(fam)
    if got is not None and got[0] is rules:
        return got[1]
    groups = {key: _class_patterns(fam, key) for key in ("evidence", "markers")}
    groups["hedges"] = [p for key in ("hedges", "approximators") if (p := pattern(fam, key))]
    kinds = [p for rule in rules for _, words, _ in _rule_conditions(rule)
             if (p := _words_pattern(words, fam)) is not None]
    pats = list(dict.fromkeys([p for group in groups.values() for p in group] + kinds))
    bits = {p: 1 << i for i, p in enumerate(pats)}

    def mask(group: list[re.Pattern]) -> int:
        out = 0
        for p in group:
            out |= bits[p]
        return out

    lits = literal_screen([(p,) for p in pats])
    screen = _Screen(lits, bits, mask(groups["evidence"]), mask(groups["markers"]),
                     mask(groups["hedges"]), lits.folded is not None)
    _SCREENS[fam] = (rules, screen)
    return screen


def _class_patterns(fam: str, key: str) -> list[re.Pattern]:
    """The compiled classes of a grouped phrase list (``evidence``, ``markers``)."""
    return [p for cls in phrases(fam).get(key) or {} if (p := pattern(fam, key, cls)) is not None]


def claim_kind(text: str, fam: str, sent: tuple[int, int], q: Any) -> str:
    """Kind of the first matching rule of ``data/kinds.yaml``, else ``other``."""
    rule = kind_rule(text, fam, sent, q)
    return rule["kind"] if rule else "other"


# --- subject / measure -----------------------------------------------------------------------
_ENUM = re.compile(r"^\s*(?:[（(]?[0-9一二三四五六七八九十]{1,3}[)）、.．]|[（(][0-9一二三四五六七八九十]{1,3}[)）])\s*")
_ZH_STOP = re.compile(r"后|可|能|会|的|是|在|对|通过|出现|引起|导致|使|需|应|有|与|和|为|多|常|通常|一般|如|建议|主要|[，,；;。:：（(、\s]")
_ZH_FILLER = re.compile(r"多数|大多|通常|一般|可能|约|左右|大约|超过|以上|以下|不超过|小于|大于|低于|高于|达到?|在|于|内|至|为|可|会|的|了|如|及|或|[<>≤≥=＜＞~～\-—\s()（）“”\"']")
_EN_VERB_WORDS = ("is", "are", "was", "were", "be", "been", "can", "could", "may", "might", "will",
                  "would", "should", "must", "likely", "typically", "usually", "often", "generally",
                  "commonly", "has", "have", "had", "do", "does", "did", "resolve", "resolves",
                  "resolved", "last", "lasts", "occur", "occurs", "occurred", "cause", "causes",
                  "caused", "increase", "increases", "increased", "reduce", "reduces", "reduced",
                  "improve", "improves", "improved", "lead", "leads", "take", "takes", "persist",
                  "persists")
_EN_FILLER_WORDS = ("the", "a", "an", "of", "for", "to", "in", "on", "at", "by", "with", "within",
                    "about", "around", "approximately", "up", "less", "more", "than", "over",
                    "under", "after", "before", "and", "or", "if", "this", "that", "these", "those",
                    "typically", "usually", "often", "may", "might", "could", "likely", "some",
                    "you", "your", "it", "is", "are", "was", "were", "be", "have", "has", "been")
# Only a whole word can match between the two \b, so the tries find exactly the words a plain
# alternation would (and several times faster: one branch per letter instead of one per word).
_EN_VERB = re.compile(rf"\b(?:{trie(_EN_VERB_WORDS)})\b", re.IGNORECASE)
_EN_FILLER = re.compile(rf"\b(?:{trie(_EN_FILLER_WORDS)})\b", re.IGNORECASE)
_COLON = re.compile(r"[:：]")
_EN_CLAUSE_BREAK = re.compile(r"[,;:]")
_ZH_TITLE_BREAK = re.compile(r"[\s，,。？?！!：:|｜_-]")
_EN_TITLE_BREAK = re.compile(r"[?:|–—-]")
_DIMENSION = {"percent": "share", "fold": "change", "age_years": "age", "count": "count",
              "cun": "depth", "grade": "grade"}


def _short(s: str, n: int) -> str:
    return s.strip(_TRAIL_PUNCT)[:n].strip(_TRAIL_PUNCT)


def _title_subject(title: str, fam: str) -> str:
    t = (title or "").strip()
    if fam == "zh":
        return _short(_ZH_TITLE_BREAK.split(t)[0], 12) if t else ""
    return " ".join(_EN_TITLE_BREAK.split(t)[0].split()[:5]) if t else ""


def subject_of(text: str, fam: str, sent: tuple[int, int], q: Any, title: str,
               skip_to: int | None = None) -> str:
    """The sentence's leading noun phrase (a "label:" prefix if any), else the title's.

    ``skip_to`` (the end of an evidence cue before the claim) drops "研究发现," from the subject.
    """
    subj = _lead_subject(text, view(text, fam), fam, sent, q.start, skip_to)
    return _title_subject(title, fam) if subj is None else subj


def _lead_subject(text: str, v: str, fam: str, sent: tuple[int, int], q_start: int,
                  skip_to: int | None) -> str | None:
    """``subject_of`` as read from the sentence (``v``: the view of ``text``); None when that
    is too short to be a subject and the title's is used instead."""
    a, e = sent
    if skip_to is not None and a <= skip_to <= q_start:
        a = skip_to
        while a < q_start and text[a] in _TRAIL_PUNCT:
            a += 1
    b = min(q_start, e)
    s = _ENUM.sub("", text[a:b])
    colon = _COLON.search(s, 0, 20)
    if colon and colon.start() >= 2:
        return _short(s[:colon.start()], 16 if fam == "zh" else 60)
    if fam == "zh":
        w = _ENUM.sub("", v[a:b])
        m = _ZH_STOP.search(w, 1) if w else None
        subj = _short(s[:m.start() if m else len(w)], 10)
        return subj if len(subj) >= 2 else None
    first = _EN_CLAUSE_BREAK.split(s, 1)[0]
    m = _EN_VERB.search(first)
    subj = " ".join(first[:m.start() if m else len(first)].split()[:6])
    return subj if len(subj) >= 3 else None


def measure_of(text: str, fam: str, sent: tuple[int, int], q: Any, kind: str,
               skip_to: int | None = None, clause: tuple[int, int] | None = None) -> str:
    """The clause's words around the quantity (fillers, cue and quantity removed) + a dimension.
    ``clause``: the claim's ``clause_span`` when the caller has it already."""
    a, b = clause if clause is not None else clause_span(text, sent, q.start, q.end)
    if skip_to is not None and a <= skip_to <= q.start:
        a = skip_to
    left, right = text[a:q.start], text[q.end:b]
    if fam == "zh":
        words = _ZH_FILLER.sub("", left + right)
        words = _short(words, 12)
    else:
        words = " ".join(_EN_FILLER.sub(" ", left + " " + right).split()[:6])
        words = words.strip(_TRAIL_PUNCT)
    unit = getattr(q, "unit", "") or ""
    dim = "duration" if unit in TIME_UNITS else _DIMENSION.get(unit, unit)
    if kind == "effect_size" and unit in ("percent", "fold"):
        dim = "change"
    return f"{words} {dim}" if words and dim else words or dim


# --- the annotation ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Gates:
    """Literal prefilters of whole phrase groups, each tested once on a claim's sentence: a
    sentence holding none of a group's literals has no hit of it in any part, so annotation
    skips the group's (memoised, per-span) searches. Most sentences hold no evidence cue, no
    design marker and, in Chinese, no hedge. None: the group cannot be ruled out."""

    evidence: Prefilter | None  # every class of ``evidence``
    markers: Prefilter | None  # every class of ``markers``
    hedges: Prefilter | None  # ``hedges`` and ``approximators`` (``_hedge_hits``)


@lru_cache(maxsize=None)
def _gates(fam: str) -> _Gates:
    hedges = tuple(p for key in ("hedges", "approximators") if (p := pattern(fam, key)) is not None)
    return _Gates(_group_prefilter(fam, "evidence"), _group_prefilter(fam, "markers"),
                  prefilter(hedges))


def _with_lowered(span: str) -> tuple[str, str | None]:
    """``span`` and its lowercase when ASCII (what ``Prefilter.may_match`` takes as folded)."""
    return span, span.lower() if span.isascii() else None


def _open(gate: Prefilter | None, span: str, lowered: str | None) -> bool:
    """Whether the group of ``gate`` may have a hit inside ``span`` (see ``Prefilter.may_match``)."""
    return gate is None or gate.may_match(span, lowered)


def annotate(text: str, sent: tuple[int, int], prev: tuple[int, int] | None, q: Any, lang: str,
             title: str, *, doc_author: str = "", doc_start: int | None = None) -> dict:
    """Hedges, evidence cue, kind, subject and measure of the claim ``q`` in sentence ``sent``.

    ``hedged`` is true for a hedge word before/around the claim, an approximator (``q.approx``) or
    a vague quantity (``q.vague``: 数月, a few days), which is imprecise by construction.

    ``doc_author``/``doc_start`` add the document-level signal: a claim with no cue of its own in
    an author's reply to a reader (a reply/greeting marker such as 回复, 您好, "reply", "Hello"
    between the document start, or the author's printed name when a marker follows it, and the
    claim) is the author's ``expert_opinion``, with the
    author's printed name as the cue span; an authored article summary without such markers is
    not (its role, answer or not, does not decide it).

    (The extractor annotates a document's claims with one ``DocumentCues``.)
    """
    return DocumentCues(text, lang, title, doc_author, doc_start).annotate(sent, prev, q)


# The keys of an annotation, in the order ``DocumentCues.annotation`` gives their values.
ANNOTATION_COLUMNS = ("hedged", "hedge_words", "evidence_cue", "cue_text", "cue_start", "cue_end",
                      "kind", "subject", "measure")


class _SentenceCues:
    """What annotation reads of one sentence, the same for every claim in it: the sentence cut
    out of the view (and lowercased when ASCII), which phrase groups may occur in its reach
    (``present``: the ``_Screen`` mask, -1 when gated instead), and, on first need, its evidence
    cues, its design markers and the cue the previous sentence lends it."""

    __slots__ = ("key", "cut", "present", "may_hedge", "may_cue", "may_mark", "_evidence",
                 "_carried", "_markers")

    def __init__(self, key: tuple, cut: tuple[str, str | None], present: int, may_hedge: bool,
                 may_cue: bool, may_mark: bool) -> None:
        self.key = key  # (sentence, previous sentence, reach)
        self.cut = cut
        self.present = present
        self.may_hedge, self.may_cue, self.may_mark = may_hedge, may_cue, may_mark
        self._evidence: list[Hit] | None = None
        self._carried: Any = _UNSET
        self._markers: list[Hit] | None = None


_UNSET = object()


class DocumentCues:
    """``annotate`` for the claims of one document, given in text order.

    What the claims of a document share (phrase family, view, screen, title subject, reply
    marker) is looked up once, and what the claims of one sentence share (its screen, evidence
    cues, design markers, the previous sentence's cue) once per sentence: the claims of a
    sentence come one after another, so the last sentence's ``_SentenceCues`` is kept. Only the
    claim's own searches (clause, hedges, kind rules, subject, measure) run per claim."""

    def __init__(self, text: str, lang: str, title: str, doc_author: str = "",
                 doc_start: int | None = None) -> None:
        self.text, self.title = text, title
        self.fam = fam = family(lang)
        self.view = view(text, fam)
        self.screen = _screen(fam)
        self.gates = None if self.screen.scans else _gates(fam)
        self.author = doc_author if doc_author.strip() else ""  # only a named author answers
        self.doc_start = doc_start
        self._reply_end: int | None = None  # ``_first_reply_marker``, on first need
        self._title_subject: str | None = None
        self._sentence: _SentenceCues | None = None
        self._previous: _SentenceCues | None = None  # the sentence annotated before it

    def annotate(self, sent: tuple[int, int], prev: tuple[int, int] | None, q: Any) -> dict:
        """``annotate(text, sent, prev, q, lang, title, ...)`` of this document's claim ``q``."""
        return dict(zip(ANNOTATION_COLUMNS, self.annotation(sent, prev, q)))

    def annotation(self, sent: tuple[int, int], prev: tuple[int, int] | None, q: Any) -> tuple:
        """The values of ``annotate``, in ``ANNOTATION_COLUMNS`` order (no dict per claim)."""
        text, fam = self.text, self.fam
        q_start, q_end = q.start, q.end
        st = self._sentence_cues(sent, prev, q_start, q_end)
        clause = clause_span(text, sent, q_start, q_end)  # shared by hedges, kind rules, measure
        hedges = _hedge_hits(text, fam, sent[0], clause[1], q_start, q_end) if st.may_hedge else ()
        cue = self._cue(st, sent, prev, q_start, q_end)
        rule = _kind_rule(text, fam, sent, q, clause, {"sentence": st.cut}, st.present)
        kind = rule["kind"] if rule else "other"
        hedged = bool(hedges) or bool(getattr(q, "approx", False)) \
            or bool(getattr(q, "vague", False))
        words = ";".join(dict.fromkeys(h.text for h in hedges))
        if cue is None:
            label, cue_text, cue_start, cue_end, skip = "none", "", None, None, None
        else:
            label, cue_text = cue.label, cue.text
            cue_start, cue_end = (cue.start, cue.end) if cue.start >= 0 else (None, None)
            skip = cue.end if cue.start >= sent[0] else None
        return (hedged, words, label, cue_text, cue_start, cue_end, kind,
                self._subject(sent, q_start, skip),
                measure_of(text, fam, sent, q, kind, skip_to=skip, clause=clause))

    def _sentence_cues(self, sent: tuple[int, int], prev: tuple[int, int] | None, q_start: int,
                       q_end: int) -> _SentenceCues:
        """The ``_SentenceCues`` of ``sent`` (kept from the previous claim when it is the same).
        Every span searched lies in the sentence, widened to the quantity if need be (its reach)."""
        reach = (min(sent[0], q_start), max(sent[1], q_end))
        key = (sent, prev, reach)
        st = self._sentence
        if st is not None and st.key == key:
            return st
        v = self.view
        cut = _with_lowered(v[sent[0]:sent[1]])
        span, low = cut if reach == sent else _with_lowered(v[reach[0]:reach[1]])
        screen = self.screen
        if screen.scans:
            present = screen.literals.scan(span, low)
            st = _SentenceCues(key, cut, present, bool(present & screen.hedges),
                               bool(present & screen.evidence), bool(present & screen.markers))
        else:
            gates = self.gates
            st = _SentenceCues(key, cut, -1, _open(gates.hedges, span, low),
                               _open(gates.evidence, span, low), _open(gates.markers, span, low))
        self._previous, self._sentence = self._sentence, st
        return st

    def _cue(self, st: _SentenceCues, sent: tuple[int, int], prev: tuple[int, int] | None,
             q_start: int, q_end: int) -> Hit | None:
        """``_choose_cue`` from the sentence's cues, else the author's reply (see ``annotate``)."""
        text, fam = self.text, self.fam
        cue = None
        if st.may_cue:
            if st._evidence is None:
                st._evidence = _evidence_in(text, fam, sent[0], sent[1])
            cue = _cue_around(st._evidence, q_start, q_end)
        if cue is None and prev is not None:
            if st._carried is _UNSET:
                st._carried = self._carried_cue(sent, prev)
            cue = st._carried
        if st.may_mark and (cue is None or cue.label == "unspecified_study"):
            if st._markers is None:
                st._markers = _markers_in(text, fam, sent[0], sent[1])
            cue = _with_marker(cue, st._markers)
        if cue is None and self.author and self._is_reply(q_start):
            cue = _author_hit(text, self.author, self.doc_start or 0, sent[0]) or \
                Hit(-1, -1, "", "expert_opinion")
        return cue

    def _carried_cue(self, sent: tuple[int, int], prev: tuple[int, int]) -> Hit | None:
        """``_carried_cue``, ruled out without a search when the previous sentence is the last
        one annotated and its screen found no evidence cue in it."""
        last = self._previous
        if last is not None and last.key[0] == prev == last.key[2] and not last.may_cue:
            return None
        return _carried_cue(self.text, self.fam, sent, prev)

    def _is_reply(self, pos: int) -> bool:
        """``doc_is_reply`` of this document at ``pos`` (its reply marker looked up once)."""
        if self.doc_start is None:
            return False
        if self._reply_end is None:
            self._reply_end = _first_reply_marker(self.text, self.fam, self.doc_start, self.author)
        return 0 <= self._reply_end <= pos

    def _subject(self, sent: tuple[int, int], q_start: int, skip_to: int | None) -> str:
        """``subject_of`` (the title's subject worked out once per document)."""
        subj = _lead_subject(self.text, self.view, self.fam, sent, q_start, skip_to)
        if subj is not None:
            return subj
        if self._title_subject is None:
            self._title_subject = _title_subject(self.title, self.fam)
        return self._title_subject
