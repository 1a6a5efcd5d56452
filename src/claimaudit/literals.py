"""Fixed literals a regex's every match must contain, and fast searches for them.

Phrase lists and segmentation cues are searched in many spans, and nearly all of those searches
find nothing. Every match of a phrase list contains one of a few fixed strings ("disclaimer",
"研究发现", 《), found by reading the regex's parse tree (``required_literals``). One trie
alternation of those strings (``trie``) is a fast scan: the regex engine skips ahead on their first
characters, which look-behinds or optional prefixes in the phrases prevent. So a span is first
searched for the literals (``Prefilter``) and only a span holding one is searched for the phrases.
Only a "no" is trusted: results are exactly those of the full searches.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Iterable

try:  # the regex parser (Python 3.11+ names; the older ones are deprecated aliases)
    from re import _constants as _sre_c, _parser as _sre_p
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]

_REPEATS = tuple(getattr(_sre_c, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_sre_c, n))
_ZERO_WIDTH = (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT)
_MAX_STRINGS = 16  # a run of fixed elements is spelled out while it has at most this many strings
_MAX_POWER = 8  # x{k} is spelled out up to this k
_SHARED_PREFIX = 8  # see _scan_literals
_LONG_SPAN = 256  # characters; see Prefilter._folded_in
_LONG_CASED = 1024  # characters; see Prefilter._first_cased

Literals = frozenset  # of (text, matched case-insensitively) pairs


# --- reading the parse tree ------------------------------------------------------------------
def parse(pat: re.Pattern) -> Any:
    """The parse tree of a compiled regex (its sequence of (op, argument) elements)."""
    return _sre_p.parse(pat.pattern, pat.flags)


def pattern_literals(pat: re.Pattern) -> Literals | None:
    """``required_literals`` of a compiled regex; None also for a parse tree of an unexpected
    shape (a newer Python's), so that a filter built on it is never wrong, only absent."""
    try:
        return required_literals(parse(pat), bool(pat.flags & re.IGNORECASE))
    except Exception:  # pragma: no cover - an unexpected parse tree: no literals
        return None


def _selectivity(lits: Literals) -> float:
    """How rarely one of the literals occurs, by the odds of a random string: each character
    more divides them (by 8, a rough figure for text), each literal more adds its own."""
    return -sum(8.0 ** -len(t) for t, _ in lits)


def required_literals(items: Iterable, icase: bool) -> Literals | None:
    """Literals one of which every match of the parsed regex sequence ``items`` contains (the
    most selective of its mandatory parts); None when no such set is known.

    A run of fixed elements is spelled out whole while it has few strings: ``我(们)?(建议|认为)``
    requires one of 我建议, 我们建议, 我认为, 我们认为, far rarer than a bare 建议. Look-arounds
    consume nothing, so they neither break a run nor add to it."""
    best: Literals | None = None
    run: frozenset[str] = frozenset(("",))  # the strings the current run of fixed elements matches

    def consider(lits: Literals | None) -> None:
        nonlocal best
        if lits and (best is None or _selectivity(lits) > _selectivity(best)):
            best = lits

    def close_run() -> None:
        if "" not in run:
            consider(frozenset((t, icase) for t in run))

    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        strings = _strings(op, av)
        if strings is not None and len(run) * len(strings) <= _MAX_STRINGS:
            run = frozenset(a + b for a in run for b in strings)
            continue
        close_run()
        if strings is not None:
            run = strings
        else:
            consider(_required_part(op, av, icase))
            run = frozenset(("",))
    close_run()
    return best


def _strings(op: Any, av: Any) -> frozenset[str] | None:
    """Every string one parsed element matches, when they are few and fixed: a character, a
    set of characters, or a group, alternation or optional element made of such. None
    otherwise, and for a group that switches case-insensitivity (``_required_part`` has it)."""
    if op is _sre_c.LITERAL:
        return frozenset((chr(av),))
    if op is _sre_c.IN and av and all(o is _sre_c.LITERAL for o, _ in av):
        return frozenset(chr(v) for _, v in av)
    if op is _sre_c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return None if (add_flags | del_flags) & re.IGNORECASE else _sequence_strings(sub)
    if op is _sre_c.BRANCH:
        alts = [_sequence_strings(sub) for sub in av[1]]
        if any(x is None for x in alts):
            return None
        out = frozenset().union(*alts)  # type: ignore[arg-type]
        return out if len(out) <= _MAX_STRINGS else None
    if op in _REPEATS and av[0] == 0 and av[1] == 1:  # x?
        got = _sequence_strings(av[2])
        return None if got is None else got | {""}
    if op in _REPEATS and av[0] == av[1] <= _MAX_POWER:  # x{k}
        return _power(_sequence_strings(av[2]), av[0])
    return None


def _power(strings: frozenset[str] | None, k: int) -> frozenset[str] | None:
    """The strings of ``k`` elements in a row that each match one of ``strings`` (None when
    more than ``_MAX_STRINGS``)."""
    out = frozenset(("",))
    for _ in range(k):
        if strings is None or len(out) * len(strings) > _MAX_STRINGS:
            return None
        out = frozenset(a + b for a in out for b in strings)
    return out


def _sequence_strings(items: Iterable) -> frozenset[str] | None:
    """``_strings`` of a parsed sequence: the product of its elements' strings."""
    out = frozenset(("",))
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        got = _strings(op, av)
        if got is None or len(out) * len(got) > _MAX_STRINGS:
            return None
        out = frozenset(a + b for a in out for b in got)
    return out


def _required_part(op: Any, av: Any, icase: bool) -> Literals | None:
    """``required_literals`` of one parsed element (group, alternation, repeat, character set);
    None for anything that may match without consuming one of a known set of literals."""
    if op is _sre_c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return required_literals(sub, (icase or bool(add_flags & re.IGNORECASE))
                                 and not del_flags & re.IGNORECASE)
    if op is getattr(_sre_c, "ATOMIC_GROUP", None):
        return required_literals(av, icase)
    if op is _sre_c.BRANCH:
        alts = [required_literals(sub, icase) for sub in av[1]]
        return None if any(x is None for x in alts) else frozenset().union(*alts)
    if op in _REPEATS:  # x{lo,hi}: one of x's literals, or the fixed strings of x{lo} (">>")
        lo, _, sub = av
        if lo < 1:
            return None
        inner = required_literals(sub, icase)
        run = _power(_sequence_strings(sub), min(lo, _MAX_POWER)) if lo > 1 else None
        if run is None or "" in run:
            return inner
        lits = frozenset((t, icase) for t in run)
        return lits if inner is None or _selectivity(lits) > _selectivity(inner) else inner
    if op is _sre_c.IN and av and all(o is _sre_c.LITERAL for o, _ in av):
        return frozenset((chr(v), icase) for _, v in av)
    return None


# --- searching for the literals ----------------------------------------------------------------
def fold(s: str) -> str | None:
    """``s`` lowercased, when a case-insensitive ASCII literal matches ``s`` exactly where its
    lowercase occurs in the result; else None (then no such literal can rule ``s`` out).

    Case-insensitive matching equates a non-ASCII character with an ASCII letter only when the
    character's lowercase or uppercase is that letter (the Kelvin sign, ſ, ı, İ); such a
    character adds ASCII to ``s.lower()`` or ``s.upper()``, and then ``s`` is not folded.
    """
    low = s.lower()
    if s.isascii() or _ascii_of_fold(s, low) is not None:
        return low
    return None


def ascii_fold(s: str) -> str | None:
    """The ASCII characters of ``fold(s)`` in order (None when ``fold(s)`` is None).

    An ASCII literal occurring in ``fold(s)`` occurs in this too (deleting the characters around
    a run of ASCII keeps the run whole), so it rules out exactly what ``fold(s)`` rules out and
    a few more "maybe"s. A mostly Chinese page shrinks to a fraction of its length, and a literal
    is found in it without scanning the Chinese text (where ``str.__contains__`` skips slowly:
    Han characters pass its filter of the literal's letters)."""
    low = s.lower()
    if s.isascii():
        return low
    kept = _ascii_of_fold(s, low)
    return None if kept is None else kept.decode("ascii")


def _ascii_of_fold(s: str, low: str) -> bytes | None:
    """The ASCII characters of ``low`` (``s.lower()``, ``s`` not ASCII) when ``low`` is ``s``
    folded (see ``fold``); else None."""
    n = len(s.encode("ascii", "ignore"))
    kept = low.encode("ascii", "ignore")
    if len(low) != len(s) or len(kept) != n or len(s.upper().encode("ascii", "ignore")) != n:
        return None
    return kept


@dataclass(frozen=True)
class Prefilter:
    """Literals one of which every match of some regexes contains (see ``prefilter``).

    ``cased``: the trie of the literals matched as written; ``folded_rx``: the trie of the
    lowercased literals of case-insensitive regexes (all ASCII), searched in the folded text
    (``fold``); ``folded``: those literals as searched one by one (``_scan_literals``);
    ``cased_words``: the literals of ``cased`` one by one (for long spans); ``patterns``: the
    regexes (for ``width``). All are searched case-sensitively: an IGNORECASE alternation of
    letters keeps the regex engine from skipping ahead."""

    cased: re.Pattern | None
    folded: tuple[str, ...]
    folded_rx: re.Pattern | None
    cased_words: tuple[str, ...] = ()  # the literals of ``cased``, one by one (``_first_cased``)
    patterns: tuple[re.Pattern, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def width(self) -> int | None:
        """The regexes' longest match in characters (None: unbounded), worked out on first use
        (``search_start``: most filters never need it)."""
        return max_width(self.patterns)

    def may_match(self, s: str, lowered: str | None = None) -> bool:
        """False only when none of the regexes can match inside ``s``. ``lowered``: ``fold(s)``
        (``s.lower()`` for ASCII ``s``) or ``ascii_fold(s)`` when the caller has it; None:
        worked out here."""
        if self.cased is not None and self.cased.search(s) is not None:
            return True
        if self.folded_rx is None:
            return False
        low = lowered if lowered is not None else ascii_fold(s)
        return low is None or self._folded_in(low)

    def may_occur(self, view: str, a: int, b: int) -> bool:
        """False only when none of the regexes can match inside ``view[a:b]`` (the span is
        searched in place: no copy of it unless a case-insensitive literal needs one)."""
        if self.cased is not None:
            if b - a < _LONG_CASED:  # (the common case, without a call of _first_cased)
                if self.cased.search(view, a, b) is not None:
                    return True
            elif self._first_cased(view, a, b) >= 0:
                return True
        if self.folded_rx is None:
            return False
        low = ascii_fold(view[a:b])
        return low is None or self._folded_in(low)

    def search_start(self, view: str, a: int, b: int) -> int:
        """Where a search of ``view[a:b]`` for the regexes may begin without missing a match:
        -1 when none can match inside the span (``may_occur``). When all literals are matched
        as written and a match is at most ``width`` long, ``width`` before the first literal:
        every match holds a literal inside [a, b), so none starts earlier. Else ``a``."""
        if self.folded_rx is not None or self.cased is None:
            return a if self.may_occur(view, a, b) else -1
        if b - a < _LONG_CASED:  # (the common case, without a call of _first_cased)
            m = self.cased.search(view, a, b)
            first = -1 if m is None else m.start()
        else:
            first = self._first_cased(view, a, b)
        if first < 0:
            return -1
        return a if self.width is None else max(a, first - self.width)

    def _first_cased(self, view: str, a: int, b: int) -> int:
        """Start of the first literal matched as written inside ``view[a:b]``; -1 for none. A
        span is searched with the trie, a long one (a page) with one ``str.find`` per literal:
        the trie tests every character that starts a literal (不, 请 in Chinese text), while
        ``str.find`` skips ahead, and returns at once for a Chinese literal in ASCII text."""
        if b - a < _LONG_CASED or not self.cased_words:
            m = self.cased.search(view, a, b)  # type: ignore[union-attr]
            return -1 if m is None else m.start()
        found = [i for i in (view.find(lit, a, b) for lit in self.cased_words) if i >= 0]
        return min(found) if found else -1

    def _folded_in(self, low: str) -> bool:
        """Whether a folded literal occurs in ``low`` (``fold`` or ``ascii_fold`` of a text).
        Lowercase (English) literals start with common letters, so their trie tests nearly
        every character; over a long span (a document, a page) one fast substring search per
        literal is quicker, over a sentence the single trie is."""
        if len(low) < _LONG_SPAN:
            return self.folded_rx is not None and self.folded_rx.search(low) is not None
        for lit in self.folded:
            if lit in low:
                return True
        return False


@lru_cache(maxsize=None)
def prefilter(patterns: tuple[re.Pattern, ...]) -> Prefilter | None:
    """The ``Prefilter`` of compiled regexes; None when one of them has no known literals or
    a case-insensitive literal is not ASCII (then nothing can be ruled out)."""
    sets = literal_sets(patterns)
    if sets is None:
        return None
    cased, folded = sets
    return Prefilter(literal_regex(cased), _scan_literals(folded), literal_regex(folded),
                     tuple(minimal(cased)), patterns)


def max_width(patterns: Iterable[re.Pattern]) -> int | None:
    """The length of the longest match any of the compiled regexes can have; None when one of
    them is unbounded (or its parse tree is of an unexpected shape)."""
    widest = 0
    for pat in patterns:
        try:
            hi = parse(pat).getwidth()[1]
        except Exception:  # pragma: no cover - an unexpected parse tree: no bound known
            return None
        if hi >= _sre_c.MAXREPEAT:
            return None
        widest = max(widest, hi)
    return widest


def literal_sets(patterns: Iterable[re.Pattern]) -> tuple[list[str], list[str]] | None:
    """The literals a ``prefilter`` searches for: those matched as written, and the lowercased
    ones of case-insensitive regexes (all ASCII), each ``minimal``. None: no prefilter."""
    lits: set[tuple[str, bool]] = set()
    for pat in patterns:
        got = pattern_literals(pat)
        if got is None:
            return None
        lits |= got
    folded = minimal(t.lower() for t, icase in lits if icase)
    if not all(t.isascii() for t in folded):
        return None
    return minimal(t for t, icase in lits if not icase), folded


def _scan_literals(literals: Iterable[str]) -> tuple[str, ...]:
    """The literals to search for one by one (``str.__contains__``): ``minimal``, and those
    sharing their first ``_SHARED_PREFIX`` characters replaced by their common prefix
    (``does not constitute advice|does not constitute medical advice`` → ``does not
    constitute``), which is hardly less rare and costs one scan of the text instead of several."""
    groups: dict[str, list[str]] = {}
    for t in minimal(literals):
        groups.setdefault(t[:_SHARED_PREFIX], []).append(t)
    return tuple(minimal(os.path.commonprefix(group) for group in groups.values()))


def minimal(literals: Iterable[str]) -> list[str]:
    """The literals minus those containing another one (which add no occurrence), shortest
    first."""
    out: list[str] = []
    for t in sorted(set(literals), key=lambda t: (len(t), t)):
        if not any(o in t for o in out):
            out.append(t)
    return out


def literal_regex(literals: Iterable[str]) -> re.Pattern | None:
    """A regex finding where any of the literals occurs (a ``trie``; None for none). Literals
    containing another are dropped (``minimal``): they add no occurrence."""
    lits = minimal(literals)
    return re.compile(trie(lits)) if lits else None


@dataclass(frozen=True)
class LiteralScreen:
    """Which of many prefilters may match inside a string, from one scan for all their literals
    (``literal_screen``): cheaper than asking each ``Prefilter`` when one string (a sentence) is
    tested against dozens of phrase lists whose literals start with common letters.

    ``scan(s)`` returns a bit mask: bit ``i`` is clear exactly when no literal of filter ``i``
    occurs in ``s`` (or in ``fold(s)``), so that none of its regexes can match inside ``s`` or any
    part of it. The scans list the longest literal starting at each
    position (``_overlapping``); ``cased_bits`` / ``folded_bits`` map it to the bits of every
    literal it starts with, which occur there too."""

    cased: re.Pattern | None
    cased_bits: dict[str, int]
    folded: re.Pattern | None
    folded_bits: dict[str, int]
    folded_any: int  # bits of the filters with case-insensitive literals: open when s won't fold
    always: int  # bits of the filters without literals: always open

    def scan(self, s: str, lowered: str | None = None) -> int:
        """The mask of the filters that may match inside ``s``; ``lowered``: ``fold(s)`` when the
        caller has it (None: worked out here)."""
        mask = self.always
        if self.cased is not None:
            bits = self.cased_bits
            for lit in set(self.cased.findall(s)):
                mask |= bits[lit]
        if self.folded is not None:
            low = lowered if lowered is not None else fold(s)
            if low is None:
                return mask | self.folded_any
            bits = self.folded_bits
            for lit in set(self.folded.findall(low)):
                mask |= bits[lit]
        return mask


def literal_screen(filters: Iterable[tuple[re.Pattern, ...]]) -> LiteralScreen:
    """The ``LiteralScreen`` of several filters: filter ``i`` (bit ``1 << i``) is the
    ``prefilter`` of the regexes ``filters[i]``."""
    cased: dict[str, int] = {}
    folded: dict[str, int] = {}
    always = folded_any = 0
    for i, patterns in enumerate(filters):
        bit = 1 << i
        sets = literal_sets(patterns)
        if sets is None:
            always |= bit
            continue
        for lit in sets[0]:
            cased[lit] = cased.get(lit, 0) | bit
        for lit in sets[1]:
            folded[lit] = folded.get(lit, 0) | bit
        if sets[1]:
            folded_any |= bit
    return LiteralScreen(_overlapping(cased), _prefix_bits(cased), _overlapping(folded),
                         _prefix_bits(folded), folded_any, always)


def _overlapping(literals: Iterable[str]) -> re.Pattern | None:
    """A regex whose ``findall`` lists the longest literal starting at each position: the
    ``trie`` (longest word first) inside a look-ahead, so that occurrences may overlap."""
    words = list(literals)
    return re.compile(f"(?=({trie(words)}))") if words else None


def _prefix_bits(literals: dict[str, int]) -> dict[str, int]:
    """Each literal's bits plus those of the literals it starts with."""
    out: dict[str, int] = {}
    for t in literals:
        mask = 0
        for n in range(1, len(t) + 1):
            mask |= literals.get(t[:n], 0)
        out[t] = mask
    return out


def trie(words: Iterable[str], after_first: str = "") -> str:
    """An alternation of plain words written as a trie (历史|历程 → 历(?:史|程)): at each position
    the engine tries one branch per distinct next character instead of every word, which
    matters for Latin text, where nearly every position starts some word.

    A word that is a prefix of another ends in an optional group (an|and → an(?:d)?), so at a
    given position the trie matches what the alternation sorted longest-first matches (the
    longest word there, and on backtracking the next shorter one), where the alternation in
    any other order prefers the first listed. ``after_first`` goes right after each word's
    first character (a look-behind placed there keeps the engine's skip-ahead on first
    characters, which a leading look-behind defeats)."""
    tree: dict[str, dict] = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def body(node: dict, tail: str = "") -> str:
        alts = [re.escape(ch) + tail + body(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        group = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return group
        return (group if len(alts) > 1 else "(?:" + group + ")") + "?"  # greedy: longer first

    return body(tree, after_first)


class LiteralOwners:
    """Which owners (cue rules, citation classes, analytes…) have one of their literals occurring
    in a text: one trie search for every literal instead of one prefilter per owner.

    Each search resumes one character after the last match's start, so every position where a
    literal starts is visited; there the trie matches the longest literal, and every other one
    starting there or inside it occurs too, so ``owners`` credits a literal with the owners of
    all the literals it contains. The result is exactly the owners with a literal in the text
    (overlaps and nested literals included).

    When no literal can start inside another's occurrence and run on past its end (``_overhang``),
    the regex engine's own scan (``findall``, resuming after each match) finds everything the
    owners need, and no Python loop runs per occurrence."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        by_lit: dict[str, set[int]] = {}
        for lit, owner in pairs:
            if lit:
                by_lit.setdefault(lit, set()).add(owner)
        self.owners = {lit: frozenset(o for p, own in by_lit.items() if p in lit for o in own)
                       for lit in by_lit}
        self.rx = re.compile(trie(by_lit)) if by_lit else None
        self.disjoint = not _overhang(by_lit)

    def find(self, text: str, a: int = 0, b: int | None = None) -> set[int]:
        """The owners with a literal inside ``text[a:b]``."""
        found: set[int] = set()
        if self.rx is None:
            return found
        b = len(text) if b is None else b
        owners = self.owners
        if self.disjoint:
            for lit in self.rx.findall(text, a, b):
                found |= owners[lit]
            return found
        search = self.rx.search
        m = search(text, a, b)
        while m is not None:
            found |= owners[m.group()]
            m = search(text, m.start() + 1, b)
        return found


def _overhang(literals: Iterable[str]) -> bool:
    """Whether a literal can start inside another's occurrence and end after it: a proper
    suffix of some literal is a proper prefix of another (or the same) one."""
    words = list(literals)
    heads = {w[:k] for w in words for k in range(1, len(w))}
    return any(w[k:] in heads for w in words for k in range(1, len(w)))
