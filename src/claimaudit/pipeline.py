"""The main job: ingest → extract → grade → reference check → consistency → tables and reports.

``analyze`` is pure (articles in, tables out); ``run_audit`` adds the file I/O. The per-article
stages are independent, which is what the Dask engine parallelises; consistency needs all claims.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from . import consistency, extract, grading, ingest, reference
from .batching import batch_gc, corpus_stage
from .model import Article


@dataclass
class AuditTables:
    articles: pd.DataFrame
    documents: pd.DataFrame
    claims: pd.DataFrame
    groups: pd.DataFrame
    checklist: pd.DataFrame
    reference: pd.DataFrame
    failures: list[tuple[str, str]] = field(default_factory=list)


CHUNK_ARTICLES = 256  # per-article stages run chunk by chunk (see ``claims_for``)
CLAIM_ORDER = ("claim_id", "article", "start")  # the claims table's row order
CHECKLIST_ORDER = ("article", "doc_id")  # grading.document_checklist's row order


def claims_for(articles: Sequence[Article], ref: pd.DataFrame) -> pd.DataFrame:
    """Per-article stages: extract, grade, check thresholds. Pure; safe to run per partition.

    Runs ``CHUNK_ARTICLES`` articles at a time: grading re-reads the hedges and cues extraction
    just found, and the cue caches (a few thousand entries) still hold them only if extraction has
    not moved on to thousands of other pages. Chunks do not change the result (every stage is per
    article; the chunks' tables are combined in claim-id order)."""
    articles = list(articles)
    with corpus_stage(articles):
        return combine([_claims_of(articles[i:i + CHUNK_ARTICLES], ref)
                        for i in range(0, max(len(articles), 1), CHUNK_ARTICLES)])


def _claims_of(articles: Sequence[Article], ref: pd.DataFrame) -> pd.DataFrame:
    claims = extract.extract_claims(articles)
    claims = grading.grade_claims(claims, {a.name: a.text for a in articles})
    return reference.check_references(claims, ref)


def combine(frames: Sequence[pd.DataFrame], keys: Sequence[str] = CLAIM_ORDER
            ) -> pd.DataFrame:
    """Per-chunk (or per-partition) tables → one table in the order of a single run (claims:
    sorted by ``claim_id``)."""
    frames = list(frames)
    nonempty = [f for f in frames if len(f)]
    if not nonempty:
        return frames[0] if frames else pd.DataFrame()
    df = pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0]
    keys = [c for c in keys if c in df.columns]
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def article_tables(articles: Sequence[Article], ref: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everything that looks at one article at a time: its claims and its documents' checklist."""
    with corpus_stage(articles):
        claims = claims_for(articles, ref)
        return claims, grading.document_checklist(articles, claims)


@dataclass
class CorpusParts:
    """The per-article results of (part of) a corpus: everything but the corpus-wide grouping.

    What a Dask partition returns (tables only: the client never needs the page texts back) and
    what ``assemble`` turns into ``AuditTables``. ``keys`` are the claims' concept keys
    (``consistency.concept_keys``, row for row with ``claims``): matching a claim to concepts
    reads only its own sentence, document and article, so it runs per part too.
    """
    articles: pd.DataFrame
    documents: pd.DataFrame
    claims: pd.DataFrame
    keys: pd.DataFrame
    checklist: pd.DataFrame
    failures: list[tuple[str, str]] = field(default_factory=list)



def article_parts(articles: Sequence[Article], ref: pd.DataFrame,
                  claims: pd.DataFrame | None = None, checklist: pd.DataFrame | None = None) -> CorpusParts:
    """``CorpusParts`` of ``articles`` (``claims``/``checklist`` when already computed)."""
    with corpus_stage(articles):
        if claims is None:
            claims = claims_for(articles, ref)
        if checklist is None:
            checklist = grading.document_checklist(articles, claims)
        documents = ingest.documents_frame(articles)
        keys = consistency.concept_keys(claims, documents, {a.name: a.text for a in articles})
        return CorpusParts(ingest.articles_frame(articles), documents, claims, keys, checklist)


def combine_parts(parts: Sequence[CorpusParts]) -> CorpusParts:
    """Parts of one corpus → the parts of the whole, in the row order of a single run."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    claims = pd.concat([p.claims for p in parts], ignore_index=True)
    keys = pd.concat([p.keys for p in parts], ignore_index=True)
    order = claims.sort_values([c for c in CLAIM_ORDER if c in claims.columns], kind="stable").index \
        if len(claims) else claims.index
    return CorpusParts(
        articles=combine([p.articles for p in parts], ("article",)),
        documents=combine([p.documents for p in parts], ("article", "start")),
        claims=claims.loc[order].reset_index(drop=True),
        keys=keys.loc[order].reset_index(drop=True),
        checklist=combine([p.checklist for p in parts], CHECKLIST_ORDER),
        failures=[f for p in parts for f in p.failures])


def assemble(parts: CorpusParts, ref: pd.DataFrame, group_overrides: pd.DataFrame | None = None) -> AuditTables:
    """The corpus-wide step: group comparable claims across articles, and the final tables."""
    with batch_gc():
        claims, groups = consistency.group_claims(parts.claims, group_overrides, keys=parts.keys)
    return AuditTables(articles=parts.articles, documents=parts.documents, claims=claims, groups=groups,
                       checklist=parts.checklist, reference=ref, failures=list(parts.failures))


def analyze(articles: Sequence[Article], ref: pd.DataFrame | None = None,
            claims: pd.DataFrame | None = None,
            group_overrides: pd.DataFrame | None = None,
            checklist: pd.DataFrame | None = None) -> AuditTables:
    """All tables for a corpus. ``claims`` and ``checklist`` may be given (e.g. computed
    elsewhere); ``group_overrides`` are the reviewers' grouping rows (default: the packaged,
    empty file)."""
    ref = reference.load_reference() if ref is None else ref
    return assemble(article_parts(articles, ref, claims, checklist), ref, group_overrides)


def run_audit(paths: Sequence[str | Path], claims_dir: Path, reports_dir: Path,
              engine: str = "local", scheduler: str | None = None,
              progress: bool = False) -> AuditTables:
    """Run the main job and write ``claims_dir`` tables and ``reports_dir`` reports."""
    from . import report, store

    with batch_gc():  # the whole run, the Dask client's gathering of results included
        ref = reference.load_reference(claims_dir)
        if engine == "dask":  # the workers read the files and run every per-article stage
            from . import distributed_engine

            parts = distributed_engine.audit_files(paths, ref, scheduler=scheduler)
        else:
            articles, failures = ingest.ingest_paths(paths, progress=progress)
            parts = article_parts(articles, ref)
            parts.failures = failures
        tables = assemble(parts, ref, consistency.load_overrides(claims_dir))
        store.write_machine_tables(claims_dir, tables)
        if engine == "dask":  # corpora too large for CSV are queried from Parquet (DuckDB, pandas)
            distributed_engine.write_parquet_tables(claims_dir, tables)
        report.write_reports(reports_dir, claims_dir, tables)
        return tables
