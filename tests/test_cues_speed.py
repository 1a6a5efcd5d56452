"""The cue-matching speed-ups must not change a single hit: shared English look-behind, the
grouped prefilter, memoised finds and compiled kinds rules are checked against the plain forms."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimaudit import cues, ingest

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
