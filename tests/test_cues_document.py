"""``cues.DocumentCues`` (one per document, claims in text order, per-sentence state kept) must
annotate every claim exactly as ``cues.annotate`` does for the claim alone, and the extractor's
tuple records must be its dict rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from claimaudit import cues, extract, ingest, quantities, sentences
from claimaudit.model import CONTENT_ROLES

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "articles").glob("*.txt")) \
    + sorted((ROOT / "tests" / "heldout").rglob("articles/*.txt"))


def _documents():
    for path in PAGES:
        art = ingest.read_article(path)
        for doc in art.documents:
            if doc.role in CONTENT_ROLES:
                yield art, doc


def _claims(art, doc):
    """(sentence, previous sentence, quantity) of a document's claims, in text order."""
    locator = sentences.SentenceLocator(art.text, doc.start, doc.end, doc.lang)
    for q in quantities.find_quantities(art.text, doc.lang, doc.start, doc.end):
        found = locator.locate(q.start)
        if found is not None:
            (s, e), prev = found
            yield (min(s, q.start), max(e, q.end)), prev, q


def _clear_memos() -> None:
    for f in (cues._find, cues._evidence_hits, cues._marker_hits, cues._hedge_hits):
        f.cache_clear()


def test_document_cues_equal_annotating_each_claim_alone():
    checked = shared = 0
    for art, doc in _documents():
        claims = list(_claims(art, doc))
        doc_cues = cues.DocumentCues(art.text, doc.lang, doc.title, doc.author, doc.start)
        together = [doc_cues.annotate(sent, prev, q) for sent, prev, q in claims]
        _clear_memos()
        alone = [cues.annotate(art.text, sent, prev, q, doc.lang, doc.title,
                               doc_author=doc.author, doc_start=doc.start)
                 for sent, prev, q in claims]
        assert together == alone, doc.doc_id
        checked += len(claims)
        shared += sum(a[0] == b[0] for a, b in zip(claims, claims[1:]))
    assert checked > 120 and shared > 30  # sentences holding several claims are covered


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_document_cues_rebuild_the_sentence_state_when_the_previous_sentence_changes(lang):
    """Same sentence, different previous sentence: the carried cue must not be reused."""
    if lang == "en":
        text = "A clinical trial found this works. Doses of 5 mg help. Rest 2 days."
    else:
        text = "临床研究发现该药有效。每天服用5毫克。休息2天。"
    spans = sentences.split_sentences(text, 0, len(text), lang)
    q = cues_quantity(text, "5")
    sent = spans[1]
    doc_cues = cues.DocumentCues(text, lang, "")
    with_prev = doc_cues.annotate(sent, spans[0], q)
    without = doc_cues.annotate(sent, None, q)
    assert with_prev == cues.annotate(text, sent, spans[0], q, lang, "")
    assert without == cues.annotate(text, sent, None, q, lang, "")
    assert with_prev["evidence_cue"] != without["evidence_cue"]


def cues_quantity(text: str, quote: str) -> quantities.Quantity:
    i = text.index(quote)
    return quantities.Quantity(start=i, end=i + len(quote), value_low=5.0, value_high=5.0,
                               unit="mg", comparator="eq", vague=False, approx=False)


def test_claim_records_are_the_article_rows_in_column_order():
    for path in PAGES[:15]:
        art = ingest.read_article(path)
        records = extract._claim_records(art)
        assert all(len(r) == len(extract.CLAIM_COLUMNS) for r in records)
        assert extract.article_claims(art) == [dict(zip(extract.CLAIM_COLUMNS, r)) for r in records]
        frame = extract.claims_frame(extract.article_claims(art))
        assert frame.equals(extract._records_frame(records))
