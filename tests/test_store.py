"""claims/ store: deterministic tables, typed loading, atomic writes, the writer lock."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import review_fixtures as rf
from claimaudit import review, schema, store
from claimaudit.schema_columns import claim_columns


@pytest.fixture
def cdir(tmp_path):
    d = tmp_path / "claims"
    store.write_machine_tables(d, rf.tables())
    return d


def test_format_cell_canonical_forms():
    assert store.format_cell(3.0) == "3"
    assert store.format_cell(0.1 + 0.2) == "0.3"
    assert store.format_cell(True) == "true" and store.format_cell(False) == "false"
    assert store.format_cell(float("nan")) == "" and store.format_cell(None) == "" and store.format_cell(pd.NA) == ""


def test_rerun_on_unchanged_tables_rewrites_nothing(cdir):
    before = {p.name: p.read_bytes() for p in cdir.iterdir()}
    changed = store.write_machine_tables(cdir, rf.tables())
    assert not any(changed.values()), changed
    assert {p.name: p.read_bytes() for p in cdir.iterdir()} == before


def test_claims_sorted_by_id_in_contract_column_order(tmp_path):
    claims = rf.base_claims().iloc[::-1].reset_index(drop=True)
    claims["zz_extra"] = "x"
    store.write_machine_tables(tmp_path, rf.tables(claims))
    text = (tmp_path / "claims.csv").read_text(encoding="utf-8")
    assert "\r" not in text and not text.startswith("\ufeff")
    df = store.read_text_csv(tmp_path / "claims.csv")
    assert list(df.columns) == claim_columns(claims) and df.columns[-1] == "zz_extra"
    assert list(df["claim_id"]) == sorted(df["claim_id"])
    assert text.splitlines()[1].startswith("c000000000001,a.txt,a.txt#0,main,zh-Hans,7,11,1-3天,")


def test_documents_sorted_in_natural_order(tmp_path):
    t = rf.tables()
    docs = pd.DataFrame({"doc_id": ["a.txt#10", "a.txt#2", "a.txt#0"], "article": "a.txt"})
    t["documents"] = docs
    t["checklist"] = docs
    store.write_machine_tables(tmp_path, t)
    assert list(store.read_text_csv(tmp_path / "documents.csv")["doc_id"]) == ["a.txt#0", "a.txt#2", "a.txt#10"]


def test_reference_written_once_and_reviews_never_touched(cdir):
    ref = cdir / "reference.csv"
    ref.write_text(ref.read_text(encoding="utf-8") + "hba1c,hba1c,HbA1c,ge,6.5,percent,diabetes,reviewer added,2024\n", encoding="utf-8")
    review.record_review(cdir, "c000000000001", "ann", "accept", "verified", reviewed_at="2026-01-01T00:00:00Z")
    before_ref, before_rev = ref.read_bytes(), (cdir / "reviews.csv").read_bytes()
    store.write_machine_tables(cdir, rf.tables(rf.base_claims().iloc[:2]))
    assert ref.read_bytes() == before_ref
    assert (cdir / "reviews.csv").read_bytes() == before_rev
    assert len(store.read_text_csv(cdir / "claims.csv")) == 2


def test_fresh_package_has_empty_reviews_with_header(cdir):
    rows = (cdir / "reviews.csv").read_text(encoding="utf-8").splitlines()
    assert rows == [",".join(review.REVIEW_COLUMNS)]


def test_load_package_types_and_empty_text(cdir):
    pkg = store.load_package(cdir)
    assert set(pkg) == set(schema.TABLES)
    c = pkg["claims"].set_index("claim_id")
    assert c["start"].dtype == "int64" and c["value_low"].dtype == "float64"
    assert c["vague"].dtype == bool and c["cue_start"].dtype == "Int64"
    assert c.at["c000000000001", "rate_period"] == ""  # "" not NaN
    assert pd.isna(c.at["c000000000003", "value_high"])
    assert c.at["c000000000002", "cue_start"] == rf.TEXTS["a.txt"].index("研究发现")
    assert c.at["c000000000005", "quote"] == "30 minutes a day"


def test_text_na_stays_text(tmp_path):
    claims = rf.base_claims()
    claims.loc[0, "subject"] = "NA"
    claims.loc[1, "subject"] = "null"
    store.write_machine_tables(tmp_path, rf.tables(claims))
    c = store.load_package(tmp_path)["claims"]
    assert list(c["subject"][:2]) == ["NA", "null"]


def test_pandera_accepts_loaded_package(cdir):
    review.record_review(cdir, "c000000000002", "ann", "regrade", "evidence_underrated", grade="c")
    desc = store.package_descriptor(cdir)
    for name, df in store.load_package(cdir).items():
        schema.pandera_schema(schema.resource(desc, name)).validate(df)


# --- atomic writes and the lock ---------------------------------------------------------------------
def test_interrupted_write_keeps_previous_reviews(cdir, monkeypatch):
    review.record_review(cdir, "c000000000001", "ann", "accept", "verified")
    before = (cdir / "reviews.csv").read_bytes()

    def boom(src, dst):
        assert os.path.getsize(src) > len(before)  # the new file was fully written first
        raise KeyboardInterrupt("killed before rename")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        review.record_review(cdir, "c000000000002", "bob", "reject", "duplicate")
    monkeypatch.undo()
    assert (cdir / "reviews.csv").read_bytes() == before
    assert not list(cdir.glob(".*.tmp")) and not (cdir / ".lock").exists()


KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    from claimaudit import review
    def stalled(src, dst):
        print("written", src, flush=True)
        time.sleep(120)
    os.replace = stalled
    review.record_review(sys.argv[1], "c000000000002", "bob", "reject", "duplicate")
""")


def test_killed_writer_leaves_reviews_intact_and_stale_lock_is_broken(cdir):
    review.record_review(cdir, "c000000000001", "ann", "accept", "verified")
    before = (cdir / "reviews.csv").read_bytes()
    p = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(cdir)], stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline().split()
        assert line[0] == "written" and os.path.exists(line[1])
        assert "bob" in open(line[1], encoding="utf-8").read()
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    assert (cdir / "reviews.csv").read_bytes() == before
    assert store.read_lock(cdir)["pid"] == p.pid  # the dead writer's lock is still there
    with pytest.warns(UserWarning, match="stale lock"):
        review.record_review(cdir, "c000000000003", "cy", "accept", "verified")
    df = review.load_reviews(cdir)
    assert list(df["claim_id"]) == ["c000000000001", "c000000000003"]
    assert not list(cdir.glob(".*.tmp")) and not (cdir / ".lock").exists()


HOLDER = textwrap.dedent("""
    import sys
    from claimaudit import store
    with store.lock(sys.argv[1], command="holder-test"):
        print("held", flush=True)
        sys.stdin.read()
""")


def test_second_writer_refused_while_lock_held(cdir):
    before = (cdir / "reviews.csv").read_bytes()
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(cdir)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(store.LockedError, match=rf"held by pid {p.pid} on .*holder-test.*another claimaudit writer"):
            review.record_review(cdir, "c000000000001", "ann", "accept", "verified")
        with pytest.raises(store.LockedError):
            store.write_machine_tables(cdir, rf.tables())
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    assert (cdir / "reviews.csv").read_bytes() == before
    review.record_review(cdir, "c000000000001", "ann", "accept", "verified")  # free again
    assert len(review.load_reviews(cdir)) == 1


def test_lock_is_reentrant_and_released(tmp_path):
    with store.lock(tmp_path):
        assert store.read_lock(tmp_path)["pid"] == os.getpid()
        with store.lock(tmp_path):
            pass
        assert (tmp_path / ".lock").exists()
    assert store.read_lock(tmp_path) is None


def test_lock_from_other_host_is_never_broken(tmp_path):
    (tmp_path / ".lock").write_text('{"pid": 1, "host": "elsewhere.invalid", "time": "t"}', encoding="utf-8")
    with pytest.raises(store.LockedError, match="elsewhere.invalid"):
        with store.lock(tmp_path):
            pass
    assert (tmp_path / ".lock").exists()


def test_empty_lock_file_is_refused_while_fresh_and_broken_when_old(tmp_path):
    lock = tmp_path / ".lock"
    lock.write_text("", encoding="utf-8")
    with pytest.raises(store.LockedError, match="unreadable"):
        with store.lock(tmp_path):
            pass
    old = lock.stat().st_mtime - 3600
    os.utime(lock, (old, old))
    with pytest.warns(UserWarning, match="stale lock"):
        with store.lock(tmp_path):
            assert store.read_lock(tmp_path)["pid"] == os.getpid()
    assert not lock.exists()


def test_atomic_writes_give_ordinary_file_permissions(tmp_path):
    import os
    import stat

    from claimaudit.store import atomic_write_text

    old = os.umask(0o022)
    try:
        p = tmp_path / "t.csv"
        atomic_write_text(p, "a\n")
        assert stat.S_IMODE(p.stat().st_mode) == 0o644
        os.chmod(p, 0o664)
        atomic_write_text(p, "b\n")
        assert stat.S_IMODE(p.stat().st_mode) == 0o664 and p.read_text() == "b\n"
    finally:
        os.umask(old)
