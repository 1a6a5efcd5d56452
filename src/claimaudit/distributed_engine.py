"""The Dask engine: the per-article stages over a cluster, and Parquet tables for big corpora.

Reading, decoding and segmenting a page, extraction, grading, the reference check, the document
checklist and matching claims to concepts look at one article at a time, so they run per
partition on the workers (``ingest.read_article`` and ``pipeline.article_parts`` — the very
functions the local engine calls). Only grouping claims across articles needs every claim; it
runs once on the client (``pipeline.assemble``) over the tables the workers send back (never the
pages themselves). The result is therefore identical to the local engine's, row for row.

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
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence, TypeVar

import pandas as pd

from .model import Article
from .pipeline import CorpusParts, article_parts, combine, combine_parts

CHARS_PER_PARTITION = 2_000_000  # ≈1 s of work per task: small enough to balance, big enough to amortise
PARTITIONS_PER_WORKER = 4  # at least this many per worker, so a slow partition cannot idle the rest
ROWS_PER_PART = 250_000
T = TypeVar("T")


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


def gather_partitions(client, bag) -> list:
    """Each partition's result of ``bag``, in partition order, fetched as soon as it is done.

    ``bag.compute()`` would first gather every partition on one worker to concatenate them (all
    results pickled twice, once worker to worker) and only then ship them to the client, all after
    the last task; streaming them straight to the client overlaps that with the remaining work.
    """
    from distributed import as_completed

    futures = client.compute(bag.to_delayed())
    index = {f.key: i for i, f in enumerate(futures)}
    out: list = [None] * len(futures)
    for future, result in as_completed(futures, with_results=True):
        out[index[future.key]] = result
        future.release()
    return out


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
        frames = [f for part in gather_partitions(client, bag.map_partitions(_claims_partition, ref_key))
                  for f in part]
        client.cancel(parts)
    return combine(frames)


def _files_partition(part, ref: pd.DataFrame, max_bytes: int | None) -> list[CorpusParts]:
    """One bag partition of ``(path, planned name)`` → the ``CorpusParts`` of its articles."""
    from .batching import batch_gc
    from .ingest import IngestError, _renamed, read_article
    from .pipeline import article_parts

    articles, failures = [], []
    with batch_gc():
        for path, name in part:
            try:
                art = read_article(path, max_bytes=max_bytes)
            except IngestError as e:
                failures.append((e.path, e.reason))
                continue
            articles.append(art if art.name == name else _renamed(art, name))
        parts = article_parts(articles, ref)
    parts.failures = failures
    return [parts]


def _file_size(item: tuple[Path, str]) -> int:
    try:
        return item[0].stat().st_size
    except OSError:
        return 1


def audit_files(paths, ref: pd.DataFrame, scheduler=None, max_bytes: int | None = None,
                npartitions: int | None = None) -> CorpusParts:
    """``ingest.ingest_paths`` + ``pipeline.article_parts`` with the files read on the workers.

    Returns the ``CorpusParts`` of the corpus (failures included), equal to the local engine's;
    ``pipeline.assemble`` makes the tables. Only tables travel back, never the pages. Names are
    planned up front (``~n`` for repeated file names); in the rare case a failed file shifts a later
    namesake's suffix, that article is read again here under its final name.
    """
    import dask
    import dask.bag as db

    from .batching import batch_gc
    from .ingest import iter_paths, unique_names

    files = iter_paths(paths)
    items = list(zip(files, unique_names([f.name for f in files])))  # if every file reads
    if not items:
        return article_parts([], ref)
    with batch_gc(), dask_client(scheduler) as client:  # batch_gc: 20 k articles' tables arrive here
        size = sum(_file_size(i) for i in items)
        n = npartitions or partition_count([], worker_count(client), chars=size)
        # a partition is a list of (path, name): tasks carry paths, the workers read the pages
        bag = db.from_delayed([dask.delayed(c, pure=True) for c in balanced_chunks(items, n, size=_file_size)])
        ref_key = dask.delayed(ref, pure=True)
        parts = [p for part in gather_partitions(client, bag.map_partitions(_files_partition, ref_key, max_bytes))
                 for p in part]
        whole = combine_parts(parts)
        return _rename_shifted(whole, items, ref, max_bytes)


def _rename_shifted(parts: CorpusParts, items: list[tuple[Path, str]], ref: pd.DataFrame,
                    max_bytes: int | None) -> CorpusParts:
    """Articles whose planned ``~n`` name a failed namesake shifted, read again under their final
    name (their ids change with it), so the parts equal the local engine's."""
    from .ingest import _renamed, read_article, unique_names

    read = set(parts.articles["article"])
    kept = [(path, name) for path, name in items if name in read]
    final = unique_names([path.name for path, _ in kept])
    moved = [(path, name, new) for (path, name), new in zip(kept, final) if name != new]
    if not moved:
        return parts
    redo = [_renamed(read_article(path, max_bytes=max_bytes), new) for path, _, new in moved]
    old = {name for _, name, _ in moved}

    def drop(df: pd.DataFrame) -> pd.DataFrame:
        return df[~df["article"].isin(old)] if len(df) else df

    keep = ~parts.claims["article"].isin(old) if len(parts.claims) else slice(None)
    rest = CorpusParts(drop(parts.articles), drop(parts.documents), parts.claims[keep],
                       parts.keys[keep], drop(parts.checklist), parts.failures)
    return combine_parts([rest, article_parts(redo, ref)])


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
