"""The annotation fast paths must not change a single output: the one-scan ``LiteralScreen``
agrees with the per-list prefilters, annotation with the screen (or the group gates) equals
annotation without, masked kinds rules equal the plain ones, and ``claims_frame`` builds the same
table as reading the rows into an object frame and converting."""
from __future__ import annotations

import dataclasses
import random
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from claimaudit import cues, extract, ingest, literals, sentences
from claimaudit.model import CONTENT_ROLES

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "articles").glob("*.txt")) + sorted((ROOT / "tests" / "heldout").rglob("articles/*.txt"))
ODD = "ſome people MAY recover; İn clinical practice, \u212a cases 约3天 我们建议 常有 abc-def e.g. ABOUT ~5"


def _texts() -> list[str]:
    return [ingest.read_article(p).text for p in PAGES] + [ODD]


def _windows(v: str) -> list[tuple[int, int]]:
    return [(a, min(len(v), a + 90)) for a in range(0, len(v), 37)]


# --- LiteralScreen ------------------------------------------------------------------------------
def _occurs(lits: list[str], s: str) -> bool:
    return any(t in s for t in lits)


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_screen_bit_is_clear_exactly_when_no_literal_of_the_list_occurs(fam):
    screen = cues._screen(fam)
    pats = sorted(screen.bits, key=screen.bits.get)
    sets = [literals.literal_sets((p,)) for p in pats]
    checked = 0
    for t in _texts():
        v = cues.view(t, fam)
        for a, b in _windows(v):
            s = v[a:b]
            mask = screen.literals.scan(s)
            low = literals.fold(s)
            for p, got in zip(pats, sets):
                bit = bool(mask & screen.bits[p])
                if got is None or (got[1] and low is None):
                    assert bit
                    continue
                assert bit == (_occurs(got[0], s) or (low is not None and _occurs(got[1], low)))
                if not bit:  # closed: the list has no hit here, and its prefilter agrees
                    assert p.search(s) is None
                    assert not literals.prefilter((p,)).may_match(s)
                checked += 1
    assert checked > 1000


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ab", "abc", "bcd", "c", "研究", "研究发现", "究发", "a", "Ab"]),
                min_size=1, max_size=6),
       st.text(alphabet="abcdAB研究发现 ", max_size=30))
def test_literal_screen_finds_overlapping_and_nested_literals(words, s):
    filters = [(re.compile(re.escape(w)),) for w in words] + [(re.compile(re.escape(w), re.I),)
                                                           for w in words if w.isascii()]
    screen = literals.literal_screen(filters)
    mask = screen.scan(s)
    for i, (pat,) in enumerate(filters):
        assert bool(mask >> i & 1) == (pat.search(s) is not None), (pat, s)


def test_literal_screen_opens_filters_without_literals_and_unfoldable_strings():
    screen = literals.literal_screen([(re.compile(r"\d+"),), (re.compile("may", re.I),),
                                      (re.compile("研究"),)])
    assert screen.scan("nothing here") == 0b001
    assert screen.scan("\u212a") & 0b010  # the Kelvin sign folds to ASCII: not ruled out
    assert screen.scan("研究 MAY") == 0b111


# --- annotation with and without the fast paths -------------------------------------------------
def _claim_calls(fam: str) -> list[tuple]:
    """The ``annotate`` arguments of every claim of the bundled pages in family ``fam``."""
    calls = []
    for path in PAGES:
        art = ingest.read_article(path)
        for doc in art.documents:
            if doc.role not in CONTENT_ROLES or cues.family(doc.lang) != fam:
                continue
            locator = sentences.SentenceLocator(art.text, doc.start, doc.end, doc.lang)
            for q in extract.quantities.find_quantities(art.text, doc.lang, doc.start, doc.end):
                found = locator.locate(q.start)
                if found is None:
                    continue
                (s, e), prev = found
                calls.append((art.text, (min(s, q.start), max(e, q.end)), prev, q, doc.lang,
                              doc.title, doc.author, doc.start))
    return calls


def _annotate_all(calls: list[tuple]) -> list[dict]:
    return [cues.annotate(text, sent, prev, q, lang, title, doc_author=author, doc_start=start)
            for text, sent, prev, q, lang, title, author, start in calls]


def _clear_memos() -> None:
    for f in (cues._find, cues._evidence_hits, cues._marker_hits, cues._hedge_hits):
        f.cache_clear()


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_annotation_is_the_same_whether_the_sentence_is_scanned_or_gated(fam, monkeypatch):
    calls = _claim_calls(fam)
    assert len(calls) > 15
    screen = cues._screen(fam)
    results = []
    for scans in (screen.scans, not screen.scans):
        monkeypatch.setitem(cues._SCREENS, fam,
                            (cues._kind_rules(), dataclasses.replace(screen, scans=scans)))
        _clear_memos()
        results.append(_annotate_all(calls))
    assert results[0] == results[1]


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_gated_cue_choice_equals_the_plain_one(fam):
    calls = _claim_calls(fam)
    for text, sent, prev, q, *_ in calls:
        plain = cues.choose_cue(text, fam, sent, prev, q.start, q.end)
        v = cues.view(text, fam)[sent[0]:sent[1]]
        gates = cues._gates(fam)
        low = v.lower() if v.isascii() else None
        assert cues._choose_cue(text, fam, sent, prev, q.start, q.end,
                                cues._open(gates.evidence, v, low),
                                cues._open(gates.markers, v, low)) == plain


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_masked_kind_rules_equal_the_plain_rules(fam):
    screen = cues._screen(fam)
    matched = 0
    for text, sent, _, q, *_ in _claim_calls(fam):
        plain = next((r for r in cues._kind_rules() if cues.rule_matches(r, text, fam, sent, q)), None)
        mask = screen.literals.scan(cues.view(text, fam)[sent[0]:sent[1]])
        assert cues._kind_rule(text, fam, sent, q, None, {}, mask) is plain
        assert cues.kind_rule(text, fam, sent, q) is plain
        matched += plain is not None
    assert matched > 5


# --- claims_frame -------------------------------------------------------------------------------
def _plain_frame(rows: list[dict]) -> pd.DataFrame:
    """The claims table built the straightforward way: an object frame, converted column by column."""
    df = pd.DataFrame({c: [r[c] for r in rows] for c in extract.CLAIM_COLUMNS},
                      columns=extract.CLAIM_COLUMNS, dtype=object)
    for c in ("value_low", "value_high"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("start", "end", "sentence_start", "sentence_end"):
        df[c] = df[c].astype("int64")
    for c in ("cue_start", "cue_end"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    for c in ("vague", "approx", "hedged"):
        df[c] = df[c].astype(bool)
    return df.sort_values("claim_id", kind="stable").reset_index(drop=True)


def test_claims_frame_equals_the_plain_construction():
    rows = [r for p in PAGES[:12] for r in extract.article_claims(ingest.read_article(p))]
    assert len(rows) > 50
    random.Random(0).shuffle(rows)
    rows.append(dict(rows[0]))  # a repeated claim id keeps its row order (stable sort)
    fast, plain = extract.claims_frame(rows), _plain_frame(rows)
    pd.testing.assert_frame_equal(fast, plain)
    assert list(fast.dtypes) == list(plain.dtypes)
    assert fast.to_csv() == plain.to_csv()
    empty = extract.claims_frame([])
    pd.testing.assert_frame_equal(empty, _plain_frame([]))


def test_fold_folds_whitespace_as_the_regex_did():
    ws = re.compile(r"\s+")
    samples = ["  A\u00a0b\tC\n", "\x1c\x1dx\x1e\x1fy\x85", "中\u3000文\u2028 字", "", "   ", "ＡＢ  ｃ\u200b"]
    rng = random.Random(1)
    alphabet = "aB 中\t\n\u00a0\u3000\x1f\u2028ｆ\u200b."
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(500)]
    for s in samples:
        assert extract.fold(s) == ws.sub(" ", unicodedata.normalize("NFKC", s)).strip().lower(), repr(s)


def test_clause_span_start_is_the_end_of_the_last_delimiter_before_the_quantity():
    texts = _texts()[:6] + ["a,1,b，c；d:e;f,", ",,,", "x, 2,3; y"]
    for t in texts:
        for s in range(0, len(t), 23):
            for q in range(s, min(len(t), s + 60), 3):
                a = s
                for m in cues._CLAUSE_DELIM.finditer(t, s, q):
                    a = m.end()
                assert cues.clause_span(t, (s, len(t)), q, q)[0] == a
