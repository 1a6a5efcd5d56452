"""Reviews: validation, current state, orphans with candidates, attach, the queue, the CLI verbs."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from click.testing import CliRunner

import review_fixtures as rf
from claimaudit import review, store
from claimaudit.cli import cli

T0 = "2026-01-01T00:00:00Z"


@pytest.fixture
def cdir(tmp_path):
    d = tmp_path / "claims"
    store.write_machine_tables(d, rf.tables())
    return d


def test_record_review_appends_with_snapshot(cdir):
    r1 = review.record_review(cdir, "c000000000003", "ann", "accept", "threshold_outdated", reviewed_at=T0)
    r2 = review.record_review(cdir, "c000000000001", "李医生", "correct", "wrong_value", "下限是2天",
                              value_low=2, value_high=3, reviewed_at=T0)
    assert (r1["review_id"], r2["review_id"]) == (1, 2)
    df = review.load_reviews(cdir)
    row = df.iloc[1]
    assert row["reviewer"] == "李医生" and row["note"] == "下限是2天" and row["value_low"] == 2.0
    assert row["quote"] == "1-3天" and row["sentence"] == "针灸后腿软一般1-3天缓解。" and row["article"] == "a.txt"
    assert row["machine_value_low"] == 1.0 and row["machine_unit"] == "day" and row["machine_grade"] == "E"
    assert row["via"] == "api" and row["reviewed_at"] == T0


@pytest.mark.parametrize("kwargs,message", [
    ({"decision": "approve"}, "decision 'approve' is not one of"),
    ({"decision": "accept", "reason": "nonsense"}, "not a code"),
    ({"decision": "reject", "reason": "verified"}, "does not go with decision 'reject'"),
    ({"decision": "correct", "reason": "wrong_value"}, "needs a corrected"),
    ({"decision": "regrade", "reason": "evidence_overrated"}, "needs a grade"),
    ({"decision": "regrade", "grade": "F"}, "grade 'F' is not one of A-E"),
    ({"decision": "accept", "grade": "B"}, "a grade goes only with decision 'regrade'"),
    ({"decision": "correct", "value_low": 5, "value_high": 2}, "value_low 5 > value_high 2"),
    ({"decision": "defer", "reason": "other"}, "needs a note"),
    ({"decision": "accept", "reviewer": " "}, "reviewer is empty"),
])
def test_invalid_reviews_are_refused_and_nothing_is_written(cdir, kwargs, message):
    before = (cdir / "reviews.csv").read_bytes()
    kw = {"reviewer": "ann", **kwargs}
    with pytest.raises(review.ReviewError, match=message):
        review.record_review(cdir, "c000000000001", **kw)
    assert (cdir / "reviews.csv").read_bytes() == before


def test_spreadsheet_edited_reviews_file_is_migrated_without_loss(cdir):
    review.record_review(cdir, "c000000000001", "ann", "accept", "verified", "好", reviewed_at=T0)
    df = store.read_text_csv(cdir / "reviews.csv").drop(columns=["via", "machine_grade"])
    df["my_column"] = "kept"
    text = "\ufeff" + store.to_csv_text(df).replace("\n", "\r\n")  # as a spreadsheet saves it
    (cdir / "reviews.csv").write_bytes(text.encode("utf-8"))
    review.record_review(cdir, "c000000000002", "bob", "defer", "needs_expert", reviewed_at=T0)
    raw = store.read_text_csv(cdir / "reviews.csv")
    assert list(raw.columns) == review.REVIEW_COLUMNS + ["my_column"]
    assert list(raw["review_id"]) == ["1", "2"] and list(raw["my_column"]) == ["kept", ""]
    assert raw.at[0, "note"] == "好" and raw.at[1, "via"] == "api"
    assert b"\r" not in (cdir / "reviews.csv").read_bytes()


def test_unknown_claim_is_refused(cdir):
    with pytest.raises(review.ReviewError, match="no claim 'c999999999999'.*review orphans"):
        review.record_review(cdir, "c999999999999", "ann", "accept")


def test_current_state_is_the_latest_row_not_the_latest_clock(cdir):
    review.record_review(cdir, "c000000000002", "ann", "defer", "needs_source", reviewed_at="2026-05-01T00:00:00Z")
    review.record_review(cdir, "c000000000002", "bob", "regrade", "evidence_overrated", grade="E",
                         reviewed_at="2026-01-01T00:00:00Z")  # a skewed clock
    state = review.current_state(review.load_reviews(cdir))
    assert state.at["c000000000002", "decision"] == "regrade" and state.at["c000000000002", "grade"] == "E"
    cur = review.current_reviews(cdir)
    assert list(cur["claim_id"]) == ["c000000000002"]


def _reextract(cdir, drop: str, rename: dict[str, str]):
    claims = rf.base_claims()
    claims = claims[claims["claim_id"] != drop].copy()
    claims["claim_id"] = claims["claim_id"].replace(rename)
    store.write_machine_tables(cdir, rf.tables(claims))


def test_orphans_listed_with_best_candidate_and_attach_resolves(cdir):
    review.record_review(cdir, "c000000000001", "ann", "correct", "wrong_value", "low end is 2",
                         value_low=2, value_high=3, reviewed_at=T0)
    review.record_review(cdir, "c000000000002", "ann", "reject", "duplicate", reviewed_at=T0)
    review.record_review(cdir, "c000000000005", "ann", "accept", "verified", reviewed_at=T0)
    # article edited: claim 1 gets a new id (its neighbourhood changed), claim 2 disappears
    _reextract(cdir, drop="c000000000002", rename={"c000000000001": "c0000000000aa"})
    orph = review.find_orphans(cdir)
    assert list(orph["claim_id"]) == ["c000000000001", "c000000000002"]
    first = orph.iloc[0]
    assert first["candidate_claim_id"] == "c0000000000aa" and first["candidate_score"] > 0.9
    assert first["candidate_quote"] == "1-3天" and first["decision"] == "correct"
    assert len(review.load_reviews(cdir)) == 3  # nothing dropped

    row = review.attach(cdir, "c000000000001", "c0000000000aa", reviewed_at=T0)
    assert row["claim_id"] == "c0000000000aa" and row["decision"] == "correct" and row["attached_from"] == 1
    assert row["value_low"] == 2.0 and row["reviewer"] == "ann" and row["via"] == "attach"
    assert row["note"].startswith("[re-attached from review 1 of claim c000000000001") and row["note"].endswith("low end is 2")
    assert list(review.find_orphans(cdir)["claim_id"]) == ["c000000000002"]
    assert len(review.load_reviews(cdir)) == 4
    state = review.current_state(review.load_reviews(cdir))
    assert state.at["c0000000000aa", "decision"] == "correct"


def test_attach_by_review_row_and_errors(cdir):
    review.record_review(cdir, "c000000000002", "ann", "reject", "duplicate", reviewed_at=T0)
    _reextract(cdir, drop="c000000000002", rename={})
    with pytest.raises(review.ReviewError, match="no claim 'cnothere'"):
        review.attach(cdir, "1", "cnothere")
    with pytest.raises(review.ReviewError, match="no review row 7"):
        review.attach(cdir, "r7", "c000000000001")
    row = review.attach(cdir, "r1", "c000000000001", reviewer="bob")
    assert row["attached_from"] == 1 and row["reviewer"] == "bob" and row["decision"] == "reject"
    assert review.find_orphans(cdir).empty


def test_no_candidate_when_nothing_resembles(cdir):
    review.record_review(cdir, "c000000000005", "ann", "accept", "verified", reviewed_at=T0)
    claims = rf.base_claims()
    claims = claims[claims["article"] == "a.txt"]
    store.write_machine_tables(cdir, rf.tables(claims))
    orph = review.find_orphans(cdir)
    assert list(orph["claim_id"]) == ["c000000000005"]
    assert orph.iloc[0]["candidate_claim_id"] == ""


def test_match_score_prefers_same_sentence_and_values():
    rev = {"article": "a.txt", "quote": "1-3天", "sentence": "针灸后腿软一般1-3天缓解。",
           "machine_value_low": 1.0, "machine_value_high": 3.0, "machine_unit": "day"}
    same = {"quote": "1-3天", "sentence": "针灸后腿软一般1-3天就能缓解。", "value_low": 1.0, "value_high": 3.0, "unit": "day"}
    other = {"quote": "3天", "sentence": "服药3天后复查。", "value_low": 3.0, "value_high": 3.0, "unit": "day"}
    assert review.match_score(rev, same) > 0.8 > review.match_score(rev, other)


def test_review_queue_priorities(cdir):
    claims = store.load_table(cdir, "claims")
    q = review.review_queue(claims, review.load_reviews(cdir))
    top = q.iloc[0]
    assert top["claim_id"] == "c000000000003"  # E on a precise threshold that mismatches the guideline
    assert "threshold_mismatch" in top["why"] and "low_grade_precise" in top["why"]
    hedged = q.set_index("claim_id").loc["c000000000002"]
    assert "low_grade_precise" not in hedged["why"]  # approx/hedged is not precise
    review.record_review(cdir, "c000000000003", "ann", "needs_citation", "threshold_outdated")
    review.record_review(cdir, "c000000000004", "ann", "defer", "needs_expert")
    q2 = review.review_queue(claims, review.load_reviews(cdir))
    assert "c000000000003" not in set(q2["claim_id"])
    assert "deferred" in q2.set_index("claim_id").at["c000000000004", "why"]
    assert len(review.review_queue(claims, review.load_reviews(cdir), include_settled=True)) == len(q)


def _with_conflict(low: float, high: float, group: str = "") -> pd.DataFrame:
    claims = rf.base_claims()
    extra = claims.iloc[[0]].copy()
    extra["claim_id"], extra["value_low"], extra["value_high"], extra["start"] = "c000000000009", low, high, 0
    df = pd.concat([claims, extra], ignore_index=True)
    df.loc[[0, len(df) - 1], "group_id"] = group
    return df


def test_same_unit_fallback_flags_disjoint_intervals():
    df = _with_conflict(5.0, 7.0)
    assert set(df.loc[review.within_article_inconsistent(df), "claim_id"]) == {"c000000000001", "c000000000009"}
    assert not review.within_article_inconsistent(_with_conflict(2.0, 7.0)).any()
    hours = _with_conflict(120.0, 168.0)
    hours.loc[len(hours) - 1, "unit"] = "hour"  # different units are never compared raw
    assert not review.same_unit_disjoint(hours).any()


def test_grouped_claims_use_the_consistency_stage():
    df = _with_conflict(5.0, 7.0, group="g-x")
    assert set(df.loc[review.within_article_inconsistent(df), "claim_id"]) == {"c000000000001", "c000000000009"}
    hours = _with_conflict(24.0, 72.0, group="g-x")
    hours.loc[len(hours) - 1, "unit"] = "hour"  # 1-3 days == 24-72 hours: no conflict
    assert not review.within_article_inconsistent(hours).any()
    q = review.review_queue(df)
    assert "within_article_inconsistent" in q.set_index("claim_id").at["c000000000009", "why"]


# --- CLI ----------------------------------------------------------------------------------------
def test_cli_record_orphans_attach(cdir):
    runner = CliRunner()
    r = runner.invoke(cli, ["review", "record", "c000000000001", "--reviewer", "ann", "--decision", "accept",
                            "--reason", "verified", "--claims-dir", str(cdir)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["review", "record", "c000000000001", "--reviewer", "ann", "--decision", "nope",
                            "--claims-dir", str(cdir)])
    assert r.exit_code == 1 and "claimaudit: error:" in r.output and "Traceback" not in r.output
    _reextract(cdir, drop="c000000000005", rename={"c000000000001": "c0000000000aa"})
    r = runner.invoke(cli, ["review", "orphans", "--claims-dir", str(cdir)])
    assert r.exit_code == 0
    assert "c000000000001" in r.output and "candidate c0000000000aa" in r.output and "1 orphaned review" in r.output
    r = runner.invoke(cli, ["review", "attach", "1", "c0000000000aa", "--claims-dir", str(cdir)])
    assert r.exit_code == 0, r.output
    assert "carried over from review 1" in r.output
    r = runner.invoke(cli, ["review", "orphans", "--claims-dir", str(cdir)])
    assert "0 orphaned review" in r.output
    assert list(review.load_reviews(cdir)["via"]) == ["cli", "attach"]


def test_cli_queue_lists_most_urgent_first(cdir):
    r = CliRunner().invoke(cli, ["review", "queue", "--claims-dir", str(cdir), "--limit", "2"])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if "\tc0" in ln]
    assert len(lines) == 2 and "\tc000000000003\t" in lines[0] and "threshold_mismatch" in lines[0]
    assert "claim(s) in the queue" in r.output


def test_cli_refuses_second_writer_with_a_clear_message(cdir):
    holder = textwrap.dedent("""
        import sys
        from claimaudit import store
        with store.lock(sys.argv[1]):
            print("held", flush=True)
            sys.stdin.read()
    """)
    p = subprocess.Popen([sys.executable, "-c", holder, str(cdir)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        r = CliRunner().invoke(cli, ["review", "record", "c000000000001", "--reviewer", "ann", "--decision",
                                     "accept", "--claims-dir", str(cdir)])
        r2 = CliRunner().invoke(cli, ["audit", str(cdir / "nothing-to-read"), "--claims-dir", str(cdir),
                                      "--reports-dir", str(cdir.parent / "reports")])
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    for res in (r, r2):
        assert res.exit_code == 1, res.output
        assert "is held by pid" in res.output and "another claimaudit writer is running" in res.output
        assert "Traceback" not in res.output
