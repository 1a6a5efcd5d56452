"""The Dask engine: the per-article stages over a cluster, and Parquet tables for big corpora.

Reading, decoding and segmenting a page, extraction, grading, the reference check and the
document checklist look at one article at a time, so they run per partition on the workers
(``ingest.read_article`` and ``pipeline.article_tables`` — the very functions the local engine
calls); consistency needs every claim and runs once on the client (``pipeline.analyze``). The
result is therefore identical to the local engine's, row for row.

``audit_files`` sends the workers file *paths*, never page text: each worker reads its own files,
so a cluster needs the articles on a path every worker can read (a shared or network file
system, as for any ``dask`` reader of local paths). ``claims_dask`` is the entry point for
articles already in memory (they are scattered to the workers).

Partitions are balanced by characters (file bytes for paths), not by article count (pages differ
in length by 10×), and each worker runs one thread: the work is pure-Python regex, so threads
would only share the GIL.

Parquet layout written by ``write_parquet_tables`` (one folder per machine table, DuckDB reads
``claims_dir/parquet/claims/*.parquet`` as one table)::

    claims_dir/parquet/articles/part-00000.parquet
    claims_dir/parquet/documents/part-00000.parquet
    claims_dir/parquet/claims/part-00000.parquet, part-00001.parquet, ...  (ROWS_PER_PART rows each)
    claims_dir/parquet/groups/part-00000.parquet
    claims_dir/parquet/checklist/part-00000.parquet
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence, TypeVar

import pandas as pd

from .model import Article
from .pipeline import combine

CHARS_PER_PARTITION = 2_000_000  # ≈1 s of work per task: small enough to balance, big enough to amortise
PARTITIONS_PER_WORKER = 4  # at least this many per worker, so a slow partition cannot idle the rest
ROWS_PER_PART = 250_000
T = TypeVar("T")
CHECKLIST_ORDER = ("article", "doc_id")  # grading.document_checklist's row order


def _text_size(a: Article) -> int:
    return len(a.text) or 1


def balanced_chunks(articles: Sequence[T], n: int, size: Callable[[T], int] = _text_size) -> list[list[T]]:
    """Split ``articles`` (order kept) into at most ``n`` contiguous chunks of near-equal ``size``
    (characters of an ``Article`` by default; any weight for other items, e.g. file bytes)."""
    if not articles:
        return []
    n = max(1, min(n, len(articles)))
    sizes = [max(1, size(a)) for a in articles]
    total = sum(sizes)
    chunks: list[list[T]] = [[]]
    done = 0
    for a, w in zip(articles, sizes):
        # an article whose middle lies past the next 1/n boundary opens a new chunk
        if chunks[-1] and len(chunks) < n and done + w / 2 >= total * len(chunks) / n:
            chunks.append([])
        chunks[-1].append(a)
        done += w
    return chunks


def partition_count(articles: Sequence[Article], workers: int, chars: int | None = None) -> int:
    """Enough partitions to keep every worker busy and each task near ``CHARS_PER_PARTITION``."""
    chars = sum(len(a.text) for a in articles) if chars is None else chars
    return max(workers * PARTITIONS_PER_WORKER, math.ceil(chars / CHARS_PER_PARTITION))


def _claims_partition(part, ref: pd.DataFrame) -> list[pd.DataFrame]:
    """One bag partition (a chunk of articles) → a one-element list holding its claims."""
    from .pipeline import claims_for

    return [claims_for(list(part), ref)]


@contextmanager
def dask_client(scheduler=None, n_workers: int | None = None) -> Iterator:
    """A ``distributed.Client``: to ``scheduler`` (an address or a Client), else a LocalCluster.

    A given Client is used as is and left open; a LocalCluster started here is closed on exit.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):
        yield scheduler
        return
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    workers = n_workers or max(1, min(os.cpu_count() or 1, 8))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def worker_count(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def claims_dask(articles: Sequence[Article], ref: pd.DataFrame, scheduler=None,
                npartitions: int | None = None) -> pd.DataFrame:
    """The graded, reference-checked claims of ``articles``, computed on a Dask cluster.

    Equal to ``pipeline.claims_for(articles, ref)``; ``scheduler`` is a ``distributed`` address
    (``tcp://host:8786``), a ``Client``, or None for a LocalCluster on this machine.
    """
    import dask
    import dask.bag as db

    from .pipeline import claims_for

    articles = list(articles)
    if not articles:
        return claims_for([], ref)
    with dask_client(scheduler) as client:
        n = npartitions or partition_count(articles, worker_count(client))
        # scatter sends each chunk straight to a worker; embedding the articles in the task graph
        # would route every page through the scheduler (unpickled there) first
        parts = client.scatter(balanced_chunks(articles, n), hash=False)
        bag = db.from_delayed(parts)
        ref_key = dask.delayed(ref, pure=True)  # shipped once, not embedded in every task
        frames = bag.map_partitions(_claims_partition, ref_key).compute(scheduler=client)
        client.cancel(parts)
    return combine(frames)


def _files_partition(part, ref: pd.DataFrame, max_bytes: int | None) -> list[tuple]:
    """One bag partition of ``(path, planned name)`` → its articles, failures and per-article tables."""
    from .batching import batch_gc
    from .ingest import IngestError, _renamed, read_article
    from .pipeline import article_tables

    articles, failures = [], []
    with batch_gc():
        for path, name in part:
            try:
                art = read_article(path, max_bytes=max_bytes)
            except IngestError as e:
                failures.append((e.path, e.reason))
                continue
            articles.append(art if art.name == name else _renamed(art, name))
        claims, checklist = article_tables(articles, ref)
    # the client needs the texts (consistency quotes sentences), not the views: half the bytes home
    return [([replace(a, view=None) for a in articles], failures, claims, checklist)]


def _file_size(item: tuple[Path, str]) -> int:
    try:
        return item[0].stat().st_size
    except OSError:
        return 1


def audit_files(paths, ref: pd.DataFrame, scheduler=None, max_bytes: int | None = None,
                npartitions: int | None = None
                ) -> tuple[list[Article], list[tuple[str, str]], pd.DataFrame, pd.DataFrame]:
    """``ingest.ingest_paths`` + ``pipeline.article_tables`` with the files read on the workers.

    Returns ``(articles, failures, claims, checklist)``, equal to the local engine's. Names are
    planned up front (``~n`` for repeated file names); in the rare case a failed file shifts a later
    namesake's suffix, that article is renamed and its tables recomputed here, so ids still match.
    """
    import dask
    import dask.bag as db

    from .batching import batch_gc
    from .ingest import _renamed, iter_paths, unique_names
    from .pipeline import article_tables

    files = iter_paths(paths)
    items = list(zip(files, unique_names([f.name for f in files])))  # if every file reads
    if not items:
        claims, checklist = article_tables([], ref)
        return [], [], claims, checklist
    with batch_gc(), dask_client(scheduler) as client:  # batch_gc: 20 k articles arrive here
        size = sum(_file_size(i) for i in items)
        n = npartitions or partition_count([], worker_count(client), chars=size)
        # a partition is a list of (path, name): tasks carry paths, the workers read the pages
        bag = db.from_delayed([dask.delayed(c, pure=True) for c in balanced_chunks(items, n, size=_file_size)])
        ref_key = dask.delayed(ref, pure=True)
        parts = bag.map_partitions(_files_partition, ref_key, max_bytes).compute(scheduler=client)
    articles = [a for p in parts for a in p[0]]
    failures = [f for p in parts for f in p[1]]
    claims = combine([p[2] for p in parts])
    checklist = combine([p[3] for p in parts], CHECKLIST_ORDER)
    final = unique_names([Path(a.path).name for a in articles])
    moved = {a.name: name for a, name in zip(articles, final) if a.name != name}
    if moved:  # a failed file shifted a namesake's suffix: rename and recompute those articles here
        articles = [_renamed(a, moved[a.name]) if a.name in moved else a for a in articles]
        renamed = set(moved.values())
        redo = [a for a in articles if a.name in renamed]
        keep = ~claims["article"].isin(moved.keys()) if len(claims) else slice(None)
        keep_c = ~checklist["article"].isin(moved.keys()) if len(checklist) else slice(None)
        new_claims, new_checklist = article_tables(redo, ref)
        claims = combine([claims[keep], new_claims])
        checklist = combine([checklist[keep_c], new_checklist], CHECKLIST_ORDER)
    return articles, failures, claims, checklist


# --- Parquet ----------------------------------------------------------------------------------
def _column_for_arrow(s: pd.Series) -> pd.Series:
    """Object columns holding anything but text/None become canonical text (``store.format_cell``)."""
    if s.dtype != object:
        return s
    if all(v is None or isinstance(v, str) for v in s):
        return s
    from .store import format_cell

    return s.map(format_cell)


def _ordered(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The CSV writer's row order and column order, so Parquet and CSV rows line up one to one."""
    from . import schema, store

    df = store.sort_table(name, df)
    return df[schema.table_columns(name, df)]


def write_parquet_table(folder: Path, df: pd.DataFrame, rows_per_part: int = ROWS_PER_PART) -> list[Path]:
    """``df`` as ``folder/part-NNNNN.parquet`` files, replacing ``folder`` atomically.

    Parts are written into a temporary sibling folder that is renamed into place, so readers never
    see a mix of old and new parts.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        df = df.apply(_column_for_arrow) if len(df.columns) else df
        table = pa.Table.from_pandas(df, preserve_index=False)
        nparts = max(1, math.ceil(len(df) / rows_per_part))
        for i in range(nparts):
            pq.write_table(table.slice(i * rows_per_part, rows_per_part), tmp / f"part-{i:05d}.parquet")
        old = None
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{os.getpid()}"
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(folder.glob("part-*.parquet"))


def write_parquet_tables(claims_dir: str | os.PathLike, tables, rows_per_part: int = ROWS_PER_PART) -> dict[str, list[Path]]:
    """The machine tables of ``tables`` (an ``AuditTables`` or a name → DataFrame mapping) as
    partitioned Parquet under ``claims_dir/parquet/<table>/`` (see the module docstring)."""
    root = Path(claims_dir) / "parquet"
    from .schema import MACHINE_TABLES

    if isinstance(tables, Mapping):
        frames = {k: v for k, v in tables.items() if isinstance(v, pd.DataFrame)}
    else:
        frames = {name: getattr(tables, name) for name in MACHINE_TABLES
                  if isinstance(getattr(tables, name, None), pd.DataFrame)}
    return {name: write_parquet_table(root / name, _ordered(name, df), rows_per_part)
            for name, df in frames.items()}
