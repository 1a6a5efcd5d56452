"""Assemble one claim row per quantitative claim, with exact provenance.

The grammar (``quantities``) finds the numbers; ``sentences`` gives each one its sentence; ``cues``
reads hedges, the evidence cue, the claim's kind and its subject/measure. This module only joins
them and mints the stable ``claim_id``.
"""
from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_right
from collections import Counter
from operator import itemgetter
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import cues, ingest, quantities, sentences
from .batching import corpus_stage
from .model import CONTENT_ROLES, Article

CLAIM_COLUMNS = [
    "claim_id", "article", "doc_id", "role", "lang", "start", "end", "quote",
    "sentence", "sentence_start", "sentence_end",
    "value_low", "value_high", "unit", "comparator", "vague", "approx", "rate_period",
    *cues.ANNOTATION_COLUMNS,  # hedged … measure, in the order ``DocumentCues.annotation`` gives
]
CONTEXT_CHARS = 8


def fold(s: str) -> str:
    """NFKC, whitespace-folded, lower-cased: the form claim ids are computed on. (``split``/``join``
    fold exactly the whitespace runs the regex ``\\s+`` matches: both use ``str.isspace``.)"""
    return " ".join(unicodedata.normalize("NFKC", s).split()).lower()


def claim_key(article: str, text: str, start: int, end: int, sent_start: int, sent_end: int) -> str:
    """The content a claim id hashes: the quote and a little context inside its sentence.

    Context stops at the sentence bounds, so text inserted elsewhere never changes an id; only an
    edit of the claim's own neighbourhood does.
    """
    left = text[max(sent_start, start - CONTEXT_CHARS):start]
    right = text[end:min(sent_end, end + CONTEXT_CHARS)]
    return "\x1f".join((article, fold(left), fold(text[start:end]), fold(right)))


def mint_ids(keys: Sequence[str]) -> list[str]:
    """``c`` + 12 hex of sha1(key); a repeated key gets ``-2``, ``-3``... in text order."""
    seen: Counter[str] = Counter()
    out = []
    for k in keys:
        seen[k] += 1
        h = "c" + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12]
        out.append(h if seen[k] == 1 else f"{h}-{seen[k]}")
    return out


def _in_meta(meta: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    i = bisect_right(starts, start) - 1
    return any(0 <= j < len(meta) and meta[j][0] < end and start < meta[j][1] for j in (i, i + 1))


def article_claims(article: Article) -> list[dict]:
    """Claim rows of one article, from its content documents (never furniture)."""
    return [dict(zip(CLAIM_COLUMNS, r)) for r in _claim_records(article)]


def _claim_records(article: Article) -> list[tuple]:
    """``article_claims`` as tuples in ``CLAIM_COLUMNS`` order: the claims table is built column
    by column, and a dict per claim would only be taken apart again."""
    text, name = article.text, article.name
    # ``article.meta`` (found once at ingest); ``meta_spans`` computes it for hand-built Articles
    meta = sorted((s, e) for s, e, _ in ingest.meta_spans(article))
    meta_starts = [s for s, _ in meta]
    records: list[tuple] = []
    for doc in article.documents:
        if doc.role not in CONTENT_ROLES:
            continue
        locator = doc_cues = None  # made on the document's first claim
        for q in quantities.find_quantities(text, doc.lang, doc.start, doc.end):
            if _in_meta(meta, meta_starts, q.start, q.end):
                continue  # bylines, asker lines, dates: authorship, not claims
            if locator is None:
                # only the sentences holding quantities are looked for, not the whole document split
                locator = sentences.SentenceLocator(text, doc.start, doc.end, doc.lang)
                doc_cues = cues.DocumentCues(text, doc.lang, doc.title, doc.author, doc.start)
            found = locator.locate(q.start)
            if found is None:
                continue  # a document without sentences has no claims
            (s_start, s_end), prev = found
            s_start, s_end = min(s_start, q.start), max(s_end, q.end)
            records.append((
                name, doc.doc_id, doc.role, doc.lang, q.start, q.end, text[q.start:q.end],
                text[s_start:s_end], s_start, s_end,
                q.value_low, q.value_high, q.unit, q.comparator, q.vague, q.approx, q.rate_period,
                *doc_cues.annotation((s_start, s_end), prev, q),
            ))
    ids = mint_ids([claim_key(name, text, r[4], r[5], r[8], r[9]) for r in records])
    return [(cid, *r) for cid, r in zip(ids, records)]


_FLOAT_COLUMNS = ("value_low", "value_high")
_INT_COLUMNS = ("start", "end", "sentence_start", "sentence_end")
_OPTIONAL_INT_COLUMNS = ("cue_start", "cue_end")
_BOOL_COLUMNS = ("vague", "approx", "hedged")


def claims_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Rows → the claims DataFrame with the contract's columns and dtypes, sorted by claim_id."""
    return _records_frame(list(map(itemgetter(*CLAIM_COLUMNS), rows)))


def _records_frame(records: list[tuple]) -> pd.DataFrame:
    """``claims_frame`` of rows as tuples in ``CLAIM_COLUMNS`` order."""
    # by claim_id; stable, like sort_values(kind="stable")
    records = sorted(records, key=itemgetter(0))
    # column by column, each built once with its final dtype: pandas reads a list of dicts row by
    # row, and converting object columns afterwards costs as much again
    columns = list(zip(*records)) if records else [()] * len(CLAIM_COLUMNS)
    return pd.DataFrame({c: _column(c, values) for c, values in zip(CLAIM_COLUMNS, columns)},
                        columns=CLAIM_COLUMNS)


def _column(name: str, values: Sequence) -> pd.Series | np.ndarray:
    """One column of ``claims_frame`` with its dtype (numbers: None → NaN / <NA>; booleans by
    truth value; everything else as the Python objects)."""
    if name in _INT_COLUMNS:
        return np.array(values, dtype="int64")
    if name in _BOOL_COLUMNS:
        return np.array([bool(v) for v in values], dtype=bool)
    objects = _objects(values)
    if name in _FLOAT_COLUMNS:
        return pd.to_numeric(objects, errors="coerce").astype("float64")
    if name in _OPTIONAL_INT_COLUMNS:
        return pd.to_numeric(objects, errors="coerce").astype("Int64")
    return objects


def _objects(values: Sequence) -> pd.Series:
    """``values`` as an object Series (pandas would infer ``str`` for text, and ``np.array``
    would nest tuples or lists)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return pd.Series(out, dtype=object, copy=False)


def extract_claims(articles: Iterable[Article]) -> pd.DataFrame:
    """The claims table of a corpus (ungraded): one row per quantitative claim."""
    articles = list(articles)
    rows: list[tuple] = []
    with corpus_stage(articles):
        for a in articles:
            rows.extend(_claim_records(a))
        return _records_frame(rows)
