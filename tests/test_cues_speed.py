"""The cue-matching speed-ups must not change a single hit: shared English look-behind, the
grouped prefilter, literal prefilters (``literals`` has their own tests), trie word lists, memoised finds, page-wide reply markers
and compiled kinds rules are checked against the plain forms."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimaudit import cues, ingest, literals

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "articles").glob("*.txt")) + sorted((ROOT / "tests" / "heldout" / "articles").glob("*.txt"))
GROUPS = ("evidence", "markers", "citations")
FLAT = ("hedges", "hedge_exclusions", "approximators", "harms", "disclaimer", "named_source",
        "human_population", "causal_verbs", "sensational")


def _plain_en(patterns: tuple[str, ...]) -> re.Pattern:
    """The English alternation written the straightforward way (look-behind per phrase)."""
    body = "|".join(rf"(?<![\w-])(?:{p})(?![\w-])" if re.search(r"[A-Za-z0-9]", p) else f"(?:{p})"
                    for p in patterns)
    return re.compile(body, re.IGNORECASE)


def _texts() -> list[str]:
    return [ingest.read_article(p).text for p in PAGES]


def _lists(fam: str):
    ph = cues.phrases(fam)
    for key in FLAT:
        if ph.get(key):
            yield key, None, tuple(ph[key])
    for key in GROUPS:
        for sub, pats in (ph.get(key) or {}).items():
            yield key, sub, tuple(pats or ())


def test_shared_lookbehind_matches_the_plain_english_alternation():
    texts = [t for t in _texts()] + ["A meta-analysis found ~30% fewer cases; mice, not MICE-like."]
    n = 0
    for key, sub, pats in _lists("en"):
        fast, plain = cues.pattern("en", key, sub), _plain_en(pats)
        for t in texts:
            assert [m.span() for m in fast.finditer(t)] == [m.span() for m in plain.finditer(t)], (key, sub)
            n += 1
    assert n > 20


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_group_prefilter_never_hides_a_hit(fam):
    seen = 0
    for t in _texts():
        for a in range(0, len(t), 97):
            b = min(len(t), a + 120)
            for key in GROUPS:
                subs = cues.phrases(fam).get(key) or {}
                any_hit = any(cues.find(t, fam, key, a, b, sub=s) for s in subs)
                seen += any_hit
                if any_hit:
                    assert cues.group_may_match(t, fam, key, a, b)
    assert seen > 0


def test_find_is_memoised_but_returns_fresh_lists():
    t = _texts()[0]
    fam = "zh"
    first = cues.find(t, fam, "hedges", 0, len(t))
    first.append(cues.Hit(0, 0, "", "junk"))
    assert cues.find(t, fam, "hedges", 0, len(t)) == first[:-1]
    assert cues.has_hit(t, fam, "hedges", 0, len(t)) == bool(first[:-1])


def test_compiled_kind_rules_agree_with_rule_matches():
    from claimaudit import extract

    arts = [ingest.read_article(p) for p in PAGES]
    claims = extract.extract_claims(arts)
    texts = {a.name: a.text for a in arts}
    checked = 0
    for row in claims.head(150).itertuples(index=False):
        text, fam = texts[row.article], cues.family(row.lang)
        sent = (int(row.sentence_start), int(row.sentence_end))
        q = type("Q", (), {"start": int(row.start), "end": int(row.end), "unit": row.unit,
                           "comparator": row.comparator, "rate_period": row.rate_period or ""})()
        plain = next((r for r in cues._kind_rules() if cues.rule_matches(r, text, fam, sent, q)), None)
        assert cues.kind_rule(text, fam, sent, q) is plain
        checked += 1
    assert checked > 20


def test_stripped_prefilter_phrases_are_found_inside_every_match_of_the_phrase():
    texts = _texts() + ["前瞻性研究指南：大量研究发现，《本草纲目》记载，模型大鼠"]
    stripped = 0
    for sub, pats in (cues.phrases("zh").get("evidence") or {}).items():
        for p in pats:
            rest = cues._strip_optional_prefix(p)
            stripped += rest != p
            whole, part = re.compile(p), re.compile(rest)
            for t in texts:
                v = cues.view(t, "zh")
                for m in whole.finditer(v):
                    assert part.search(v, m.start(), m.end()), (p, rest, m.group(0))
    assert stripped >= 1
    assert cues._strip_optional_prefix("(a)?") == "(a)?"  # nothing left: kept whole


# --- literal prefilters, trie alternations, page-wide reply markers ----------------------------
def _kind_patterns(fam: str) -> list[re.Pattern]:
    out = []
    for rule in cues._kind_rules():
        for cond in [rule] + list(rule.get("also") or []) + [rule.get("unless") or {}]:
            pat = cues._words_pattern(cond.get("words"), fam) if cond.get("words") else None
            if pat is not None:
                out.append(pat)
    return out


def _all_patterns(fam: str) -> list[re.Pattern]:
    pats = [cues.pattern(fam, key, sub) for key, sub, _ in _lists(fam)]
    pats += [cues.pattern(fam, k) for k in ("reply_markers", "advice_markers")]
    return [p for p in pats if p is not None] + _kind_patterns(fam)


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_literal_prefilter_never_rules_out_a_hit(fam):
    """Every hit of a phrase list inside a span leaves its prefilter open on that span (spans:
    every sentence-sized window of the pages, and short windows around every hit)."""
    texts = _texts() + ["ſome people MAY recover; İn clinical practice, K cases 约3天 我们建议 常有"]
    groups = [cues._group_prefilter(fam, key) for key in GROUPS]
    assert all(g is not None for g in groups[:2])
    checked = 0
    for pat in _all_patterns(fam):
        pre = literals.prefilter((pat,))
        if pre is None:
            continue
        for t in texts:
            v = cues.view(t, fam)
            spans = [(a, min(len(v), a + 90)) for a in range(0, len(v), 45)]
            spans += [(max(0, m.start() - 3), m.end() + 2) for m in pat.finditer(v) if m.end() > m.start()]
            for a, b in spans:
                if pat.search(v, a, b) is not None:
                    assert pre.may_match(v[a:b]), (pat.pattern[:60], v[a:b])
                    checked += 1
    assert checked > 200


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_group_helpers_agree_with_the_plain_class_searches(fam):
    for t in _texts():
        for a in range(0, len(t), 61):
            b = min(len(t), a + 130)
            for key in ("evidence", "markers"):
                plain = [h for cls in cues.phrases(fam)[key]
                         for h in cues.find(t, fam, key, a, b, sub=cls, label=cls)]
                assert cues._group_hits(t, fam, key, a, b) == plain
                assert cues.group_may_match(t, fam, key, a, b) == bool(
                    cues._group_pattern(fam, key).search(cues.view(t, fam), a, b))


def test_word_tries_match_the_plain_alternations():
    filler = re.compile(r"\b(" + "|".join(cues._EN_FILLER_WORDS) + r")\b", re.IGNORECASE)
    verb = re.compile(r"\b(is|are|was|were|be|been|can|could|may|might|will|would|should|must|"
                      r"likely|typically|usually|often|generally|commonly|has|have|had|do|does|"
                      r"did|resolve[sd]?|last[s]?|occur(s|red)?|cause[sd]?|increase[sd]?|"
                      r"reduce[sd]?|improve[sd]?|lead[s]?|take[s]?|persist[s]?)\b", re.IGNORECASE)
    for t in _texts() + ["The AN and-an ſome İt it's a.b ABOUT/about Kin LASTS occurrED causes"]:
        assert cues._EN_FILLER.sub(" ", t) == filler.sub(" ", t)
        assert [m.span() for m in cues._EN_VERB.finditer(t)] == [m.span() for m in verb.finditer(t)]


def test_zh_phrases_joined_bare_match_as_when_each_is_wrapped():
    texts = [cues.view(t, "zh") for t in _texts()]
    lists = [pats for _, _, pats in _lists("zh")]
    lists += [tuple(r["words"]["zh"]) for r in cues._kind_rules() if (r.get("words") or {}).get("zh")]
    for pats in lists:
        bare = cues._compile("zh", pats)
        wrapped = re.compile("|".join(f"(?:{p})" for p in pats))
        for v in texts:
            assert [m.span() for m in bare.finditer(v)] == [m.span() for m in wrapped.finditer(v)]


@pytest.mark.parametrize("fam", ["zh", "en"])
def test_reply_marker_lookup_equals_a_search_from_each_position(fam):
    pat = cues.pattern(fam, "reply_markers")
    texts = _texts() + ["您好您好，回复：医生回答 谢谢你的提问 hello dear hi, Reply"]
    for t in texts:
        v = cues.view(t, fam)
        for pos in list(range(0, len(v), 7)) + [m.start() + 1 for m in pat.finditer(v)]:
            m = pat.search(v, pos)
            assert cues._reply_marker_end(t, fam, pos) == (m.end() if m else -1), pos
