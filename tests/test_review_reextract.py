"""End to end: reviews survive re-running the main job on edited articles (seed pages, real pipeline)."""
from __future__ import annotations

import re
import shutil

import pytest

from claimaudit import config, pipeline, review

CJK = re.compile(r"[\u4e00-\u9fff]")


def _one_claim_sentences(claims, text):
    """Main-document claims alone in a sentence that occurs once in the article."""
    per_sentence = claims.groupby(["sentence_start", "sentence_end"])["claim_id"].transform("size")
    ok = (per_sentence == 1) & (claims["role"] == "main")
    return claims[ok & claims["sentence"].map(lambda s: text.count(s) == 1 and len(s) > 4)]


@pytest.fixture
def corpus(tmp_path):
    src = sorted(p for p in config.articles_dir().iterdir() if p.suffix in (".txt", ".html"))
    arts = tmp_path / "articles"
    arts.mkdir()
    for p in src[:2]:
        shutil.copy(p, arts / p.name)
    return arts


def test_reviews_survive_reextraction_of_edited_article(corpus, tmp_path, monkeypatch):
    from claimaudit import report

    # the main job as the CLI runs it; only the HTML/xlsx reports are skipped (slow, and not under test)
    monkeypatch.setattr(report, "write_reports", lambda *a, **k: None)
    cdir, rdir = tmp_path / "claims", tmp_path / "reports"
    tables = pipeline.run_audit([str(corpus)], cdir, rdir)
    claims = tables.claims
    name = claims["article"].value_counts().index[0]  # the article with most claims
    path = corpus / name
    text = path.read_text(encoding="utf-8")
    mine = claims[claims["article"] == name].sort_values("start")
    singles = _one_claim_sentences(mine, text)
    assert len(singles) >= 3, "the seed article should have several one-claim sentences"

    deleted = singles.iloc[len(singles) // 2]
    # a claim whose id will change: punctuation inserted right before its number (left context)
    editable = singles[(singles["claim_id"] != deleted["claim_id"])
                       & singles["start"].map(lambda s: s > 0 and bool(CJK.match(text[s - 1])))]
    assert len(editable) >= 1
    edited = editable.iloc[-1]
    kept = mine[~mine["claim_id"].isin([deleted["claim_id"], edited["claim_id"]])
                & ~mine["sentence_start"].isin([deleted["sentence_start"], edited["sentence_start"]])]
    kept = kept.iloc[:: max(1, len(kept) // 6)]
    other = claims[claims["article"] != name].iloc[:2]
    assert len(kept) >= 3

    for i, c in enumerate(kept.itertuples()):
        review.record_review(cdir, c.claim_id, "ann", "accept", "verified", note=f"复核 {i}")
    review.record_review(cdir, deleted["claim_id"], "ann", "reject", "not_health_claim", note="删除的句子")
    review.record_review(cdir, edited["claim_id"], "bob", "regrade", "evidence_overrated", grade="E")
    for c in other.itertuples():
        review.record_review(cdir, c.claim_id, "bob", "defer", "needs_expert")
    reviews_before = (cdir / "reviews.csv").read_bytes()
    n_reviews = len(review.load_reviews(cdir))

    # edit the article: text before and after the claims, one claimed sentence deleted, one claim's
    # left context changed
    edits = sorted([
        (int(deleted["sentence_start"]), int(deleted["sentence_end"]), ""),
        (int(edited["start"]), int(edited["start"]), "，"),
    ], reverse=True)
    new = text
    for s, e, rep in edits:
        new = new[:s] + rep + new[e:]
    first = int(mine["sentence_start"].min())
    para = new.rfind("\n", 0, first) + 1
    new = new[:para] + "编者按：本文已根据读者反馈更新，以下内容仅供参考。\n" + new[para:]
    new = new + "\n编辑补充：如有不适请及时就医。\n"
    path.write_text(new, encoding="utf-8")

    tables2 = pipeline.run_audit([str(corpus)], cdir, rdir)
    live = set(tables2.claims["claim_id"])
    # nothing lost from reviews.csv
    assert (cdir / "reviews.csv").read_bytes() == reviews_before
    assert len(review.load_reviews(cdir)) == n_reviews
    # every review of an unchanged claim is still attached, with its decision
    state = review.current_state(review.load_reviews(cdir))
    for c in list(kept.itertuples()) + list(other.itertuples()):
        assert c.claim_id in live, (c.claim_id, c.quote, c.sentence)
        assert state.at[c.claim_id, "decision"] in ("accept", "defer")
    # the deleted claim's review is an orphan, listed; so is the edited one, with its new claim proposed
    orph = review.find_orphans(cdir).set_index("claim_id")
    assert set(orph.index) == {deleted["claim_id"], edited["claim_id"]}
    assert orph.at[deleted["claim_id"], "decision"] == "reject"
    assert orph.at[deleted["claim_id"], "quote"] == deleted["quote"]
    new_claims = tables2.claims[(tables2.claims["article"] == name) & (tables2.claims["quote"] == edited["quote"])]
    moved = new_claims[new_claims["sentence"].str.contains("，" + re.escape(edited["quote"]))]
    assert len(moved) == 1
    assert orph.at[edited["claim_id"], "candidate_claim_id"] == moved["claim_id"].iloc[0]

    # re-attach the edited claim's review; the deleted one stays listed
    review.attach(cdir, edited["claim_id"], moved["claim_id"].iloc[0])
    assert list(review.find_orphans(cdir)["claim_id"]) == [deleted["claim_id"]]
    state = review.current_state(review.load_reviews(cdir))
    assert state.at[moved["claim_id"].iloc[0], "grade"] == "E"
    assert (cdir / "reviews.csv").read_bytes().startswith(reviews_before)
