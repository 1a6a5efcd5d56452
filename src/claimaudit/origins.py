"""Independent origins: which articles are one source, because they share a near-duplicate
sentence (a page copied, or both copied from a third). Consistency counts agreement per origin,
not per article, so one text syndicated to ten sites is one voice, not ten.

Sentences are folded (NFKC, simplified, lower-case, no punctuation), bucketed exactly and by
MinHash LSH bands, and articles joined by union-find: O(n log n) sorts, never all pairs.
Settings: ``near_duplicates`` in ``data/consistency.yaml``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd

from . import config
from .textnorm import simplified_views


def concat_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``range(starts[x], starts[x] + counts[x])`` for every x, vectorised."""
    block_start = np.cumsum(counts) - counts
    return np.repeat(starts - block_start, counts) + np.arange(int(counts.sum()))



_NOT_ALNUM = re.compile(r"[\W_]+")  # exactly the characters for which str.isalnum() is False


def fold_sentence(s: str) -> str:
    """NFKC, simplified, lower-cased, whitespace and punctuation removed: the near-duplicate form."""
    return fold_sentences([s])[0]


def fold_sentences(sentences: Iterable[str]) -> list[str]:
    """``fold_sentence`` of each sentence, converted to simplified all at once (``_simplified_many``)."""
    normal = [unicodedata.normalize("NFKC", s) for s in sentences]
    return [_NOT_ALNUM.sub("", v.lower()) for v in simplified_views(normal)]


_P = (1 << 61) - 1


@lru_cache(maxsize=1)
def _minhash_params(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240601)
    a = rng.integers(1, 1 << 31, size=n, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=n, dtype=np.uint64)
    return a, b


_CODE_POINT_BITS = 21  # every Unicode code point is below 2**21, so three fit in 63 bits


def _window_keys(windows: np.ndarray) -> list[np.ndarray]:
    """Each row of code points as ⌈k/3⌉ uint64 columns of three 21-bit code points: an exact key
    (equal rows ⇔ equal columns), cheaper to sort than the rows themselves."""
    cols = []
    for c in range(0, windows.shape[1], 3):
        key = np.zeros(len(windows), dtype=np.uint64)
        for cp in windows[:, c:c + 3].T:
            key = (key << np.uint64(_CODE_POINT_BITS)) | cp.astype(np.uint64)
        cols.append(key)
    return cols


def _distinct_windows(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first index of each distinct row, per row the index of its distinct row) by one sort."""
    if not len(windows):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    keys = _window_keys(windows)
    order = np.lexsort(keys[::-1])  # stable: each run of equal rows starts with its first row
    new_run = np.zeros(len(order), dtype=bool)
    new_run[0] = True
    for key in keys:
        sorted_key = key[order]
        new_run[1:] |= sorted_key[1:] != sorted_key[:-1]
    ids = np.empty(len(order), dtype=np.intp)
    ids[order] = np.cumsum(new_run) - 1
    return order[new_run], ids


def _shingle_ids(texts: list[str], k: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(distinct shingles, per shingle occurrence the index of its shingle, where each text's
    occurrences start). A text's shingles are its character ``k``-windows in order, or the whole
    text when it is shorter than ``k``. Pages repeat most windows, so each distinct one is hashed
    once; the windows are cut and compared as code-point arrays (no per-shingle strings)."""
    lens = np.array([len(t) for t in texts], dtype=np.int64)
    long = lens >= k
    counts = np.where(long, lens - k + 1, 1)
    starts = np.cumsum(counts) - counts
    ids = np.empty(int(counts.sum()), dtype=np.intp)
    long_texts = [t for t, ok in zip(texts, long.tolist()) if ok]
    cps = np.frombuffer("".join(long_texts).encode("utf-32-le", errors="surrogatepass"), dtype="<u4")
    cp_starts = np.cumsum(lens[long]) - lens[long]
    windows = np.lib.stride_tricks.sliding_window_view(cps, k)[concat_ranges(cp_starts, counts[long])] \
        if len(cps) >= k else np.zeros((0, k), dtype="<u4")
    first, win_ids = _distinct_windows(windows)
    ids[concat_ranges(starts[long], counts[long])] = win_ids
    raw = np.ascontiguousarray(windows[first]).tobytes().decode("utf-32-le", errors="surrogatepass")
    shingles = [raw[i:i + k] for i in range(0, len(raw), k)]
    short = [texts[i] for i in np.flatnonzero(~long).tolist()]
    short_id = {t: len(shingles) + j for j, t in enumerate(dict.fromkeys(short))}
    ids[starts[~long]] = [short_id[t] for t in short]
    return shingles + list(short_id), ids, starts


def _shingle_hashes(shingles: list[str]) -> np.ndarray:
    """First 4 bytes of each shingle's UTF-8 sha1, as uint64."""
    sha1 = hashlib.sha1
    digests = b"".join([sha1(s.encode("utf-8")).digest() for s in shingles])
    return np.frombuffer(digests, dtype=">u4").reshape(-1, 5)[:, 0].astype(np.uint64)  # first 4 of 20 bytes


def minhash(text: str, k: int, n: int) -> tuple[int, ...]:
    """MinHash signature of character ``k``-shingles (deterministic: sha1-based shingle hashes)."""
    return minhash_many([text], k, n)[0]


def minhash_many(texts: list[str], k: int, n: int) -> list[tuple[int, ...]]:
    """``minhash`` of every text in one vectorised pass (``_minhash_matrix``)."""
    return [tuple(row) for row in _minhash_matrix(texts, k, n).tolist()]


def _minhash_matrix(texts: list[str], k: int, n: int) -> np.ndarray:
    """MinHash signatures (one row per text) of character ``k``-shingles: a shingle's hash is the
    first 4 bytes of its sha1, each of the ``n`` hash functions a·h + b mod P is applied to the
    distinct shingles' hashes, and each text's minimum over its shingles is taken by ``reduceat``
    (one function at a time keeps the arrays small). a, b < 2³¹ and h < 2³², so a·h + b fits in
    uint64."""
    if not texts:
        return np.zeros((0, n), dtype=np.uint64)
    shingles, ids, starts = _shingle_ids(texts, k)
    hs = _shingle_hashes(shingles)
    a, b = _minhash_params(n)
    mins = np.empty((n, len(texts)), dtype=np.uint64)
    v = np.empty_like(hs)
    for j in range(n):
        np.multiply(hs, a[j], out=v)
        v += b[j]
        v %= np.uint64(_P)
        mins[j] = np.minimum.reduceat(v[ids], starts)
    return mins.T


class _UnionFind:
    def __init__(self, items: Iterable):
        self.parent = {x: x for x in items}

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def origin_ids(claims: pd.DataFrame) -> pd.Series:
    """An origin per claim: articles that share a near-duplicate sentence are one origin.

    Entries are the distinct (article, folded sentence) pairs in first-seen order. Buckets by
    exact folded sentence and by MinHash LSH bands (a bucket keeps its first entry; a later one
    joins it when their signatures agree on at least ``min_similarity`` of the hashes), then
    union-find over articles: O(n log n) sorts, never all pairs. Sentences are folded once each
    and signatures computed once per distinct folded sentence; buckets, their first entries and
    the similarity tests are array operations, and only the distinct article pairs they join go
    through the union-find (each root is its set's smallest article).
    """
    nd = config.load_yaml("consistency.yaml")["near_duplicates"]
    k, bands, rows = int(nd["shingle"]), int(nd["bands"]), int(nd["rows"])
    min_sim = float(nd.get("min_similarity", 0.7))
    art_code, art_names = _str_codes(claims["article"], sort=True)  # by name
    sent_code, sentences = _str_codes(claims["sentence"])
    fold_of_sentence, folds = pd.factorize(np.array(fold_sentences(sentences), dtype=object))
    e_art, e_fold = _entries(art_code, fold_of_sentence[sent_code], folds)
    fold_lens = np.array([len(f) for f in folds], dtype=np.int64)
    edges = [_same_fold_edges(e_art, e_fold)]
    signed = fold_lens[e_fold] >= 2 * k  # shorter than two shingles: exact buckets only
    long_folds = np.flatnonzero(fold_lens >= 2 * k)
    if signed.any():
        sigs = _minhash_matrix([folds[i] for i in long_folds.tolist()], k, bands * rows)
        row_of = np.full(len(folds), -1, dtype=np.intp)
        row_of[long_folds] = np.arange(len(long_folds))
        edges += _band_edges(e_art[signed], sigs[row_of[e_fold[signed]]], bands, rows, min_sim * bands * rows)
    uf = _UnionFind(range(len(art_names)))
    for x, y in _distinct_pairs(np.concatenate(edges), len(art_names)):
        uf.union(x, y)
    root = np.array([uf.find(i) for i in range(len(art_names))], dtype=np.intp)
    names = np.asarray(art_names, dtype=object)
    return pd.Series(names[root[art_code]], index=claims.index, dtype=object)


def _str_codes(column: pd.Series, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of the column's values as text (missing ones too): the distinct values
    are converted, not every row, when they all are text already (the usual case)."""
    codes, uniques = pd.factorize(column, sort=sort, use_na_sentinel=False)
    if all(isinstance(u, str) for u in uniques):
        return codes, uniques
    return pd.factorize(column.astype(str), sort=sort, use_na_sentinel=False)


def _distinct_pairs(edges: np.ndarray, n: int) -> list[tuple[int, int]]:
    """The distinct rows of an (m, 2) array of codes below ``n``, joining pairs of different codes."""
    edges = edges[edges[:, 0] != edges[:, 1]].astype(np.int64)
    flat = np.unique(edges[:, 0] * n + edges[:, 1])
    return list(zip((flat // n).tolist(), (flat % n).tolist()))


def _entries(art_code: np.ndarray, fold_code: np.ndarray, folds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(article, fold) codes of the distinct pairs with a non-empty fold, in first-seen row order."""
    pair = art_code.astype(np.int64) * max(len(folds), 1) + fold_code
    _, first = np.unique(pair, return_index=True)
    first.sort()
    first = first[np.array([len(folds[f]) > 0 for f in fold_code[first].tolist()], dtype=bool)]
    return art_code[first], fold_code[first]


def _same_fold_edges(e_art: np.ndarray, e_fold: np.ndarray) -> np.ndarray:
    """(article, first article of its fold) for every entry: one exact bucket per folded sentence."""
    _, first, inverse = np.unique(e_fold, return_index=True, return_inverse=True)
    return np.column_stack([e_art, e_art[first][inverse.reshape(-1)]])


def _band_edges(e_art: np.ndarray, sigs: np.ndarray, bands: int, rows: int, need: float) -> list[np.ndarray]:
    """Per LSH band: (article, article of the bucket's first entry) for the entries whose whole
    signature agrees with that first entry's on at least ``need`` hashes."""
    out = []
    for b in range(bands):
        first = _first_of_equal_rows(sigs[:, b * rows:(b + 1) * rows])
        agree = (sigs == sigs[first]).sum(axis=1) >= need
        ok = agree & (e_art != e_art[first])
        out.append(np.column_stack([e_art[ok], e_art[first[ok]]]))
    return out


def _first_of_equal_rows(m: np.ndarray) -> np.ndarray:
    """Per row of ``m``: the index of the first row equal to it (a stable sort groups equal rows
    with the earliest first)."""
    order = np.lexsort(m.T[::-1])
    sm = m[order]
    new_run = np.ones(len(order), dtype=bool)
    new_run[1:] = (sm[1:] != sm[:-1]).any(axis=1)
    run_first = order[new_run][np.cumsum(new_run) - 1]
    out = np.empty(len(order), dtype=np.intp)
    out[order] = run_first
    return out
