"""The Dask engine gives the local engine's result, and its Parquet tables read back intact.

One 2-worker LocalCluster serves the module; the corpus is the bundled pages. The cluster uses
threads (``processes=False``): measured here it starts and stops in under 1 s against about 17 s for
two worker processes; what processes add — articles crossing a pickle boundary — is checked apart.
"""
from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest
from click.testing import CliRunner

from claimaudit import config, distributed_engine, ingest, pipeline, reference
from claimaudit.cli import cli
from claimaudit.model import Article
from claimaudit.schema_columns import claim_columns


@pytest.fixture(scope="module")
def corpus():
    articles, failures = ingest.ingest_paths([config.articles_dir()])
    assert not failures and len(articles) >= 3
    return articles


@pytest.fixture(scope="module")
def local_tables(corpus):
    return pipeline.analyze(corpus)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _article(name: str, n: int) -> Article:
    return Article(name=name, path=name, text="x" * n, encoding="utf-8", format="text", lang="en")


def test_balanced_chunks_keep_order_and_balance_characters():
    arts = [_article(f"a{i}", (i * 37) % 500 + 1) for i in range(101)]
    chunks = distributed_engine.balanced_chunks(arts, 7)
    assert [a for c in chunks for a in c] == arts  # every article once, in order
    assert len(chunks) == 7
    sizes = [sum(len(a.text) for a in c) for c in chunks]
    assert max(sizes) - min(sizes) <= 2 * 500  # within about one article of each other
    assert distributed_engine.balanced_chunks(arts[:2], 7) == [[arts[0]], [arts[1]]]
    assert distributed_engine.balanced_chunks([], 3) == []


def test_dask_claims_equal_local_claims(corpus, local_tables, client):
    ref = reference.load_reference()
    local = pipeline.claims_for(corpus, ref)
    assert len(local) > 20
    dask = distributed_engine.claims_dask(corpus, ref, scheduler=client, npartitions=3)
    pdt.assert_frame_equal(dask, local)
    # and the corpus-wide stage on top gives the same groups
    a, b = pipeline.analyze(corpus, ref, claims=dask), local_tables
    assert len(a.groups) > 0
    pdt.assert_frame_equal(a.claims, b.claims)
    pdt.assert_frame_equal(a.groups, b.groups)


def test_articles_survive_the_pickle_boundary_of_worker_processes(corpus):
    import pickle

    ref = reference.load_reference()
    shipped = pickle.loads(pickle.dumps((corpus, ref)))
    pdt.assert_frame_equal(pipeline.claims_for(*shipped), pipeline.claims_for(corpus, ref))


def test_cli_audit_with_dask_engine_writes_the_local_engines_csvs(tmp_path, corpus, local_tables, client):
    from claimaudit import store

    res = CliRunner().invoke(cli, ["audit", str(config.articles_dir()), "--engine", "dask",
                                   "--scheduler", client.scheduler.address,
                                   "--claims-dir", str(tmp_path / "dask"), "--reports-dir", str(tmp_path / "reports")])
    assert res.exit_code == 0, res.output
    store.write_machine_tables(tmp_path / "local", local_tables)
    local_csvs = sorted(p.name for p in (tmp_path / "local").glob("*.csv"))
    assert "claims.csv" in local_csvs and "groups.csv" in local_csvs
    for csv in local_csvs:
        assert (tmp_path / "dask" / csv).read_bytes() == (tmp_path / "local" / csv).read_bytes(), csv
    # the Dask engine also leaves the machine tables as partitioned Parquet
    import duckdb

    glob = str(tmp_path / "dask" / "parquet" / "claims" / "*.parquet")
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0]
    assert n == len(local_tables.claims) > 0


def test_parquet_tables_round_trip_and_replace(tmp_path, local_tables):
    import duckdb

    tables = local_tables
    n = len(tables.claims)
    written = distributed_engine.write_parquet_tables(tmp_path, tables, rows_per_part=max(1, n // 3))
    assert {"articles", "documents", "claims", "groups"} <= set(written)
    assert len(written["claims"]) >= 3
    glob = str(tmp_path / "parquet" / "claims" / "*.parquet")
    back = duckdb.sql(f"SELECT * FROM read_parquet('{glob}') ORDER BY claim_id").df()
    assert list(back.columns) == claim_columns(tables.claims)
    assert back["claim_id"].tolist() == sorted(tables.claims["claim_id"])
    assert back["start"].tolist() == tables.claims.sort_values("claim_id")["start"].tolist()
    # a rewrite with fewer rows leaves no stale parts behind
    small = {"claims": tables.claims.head(2)}
    distributed_engine.write_parquet_tables(tmp_path, small, rows_per_part=max(1, n // 3))
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0] == 2
    assert len(list((tmp_path / "parquet" / "claims").glob("*.parquet"))) == 1


def test_parquet_writer_keeps_mixed_object_columns_as_text(tmp_path):
    df = pd.DataFrame({"group_id": ["g1", "g2", "g3"], "value": [1.5, "", None]})
    distributed_engine.write_parquet_tables(tmp_path, {"groups": df})
    import pyarrow.parquet as pq

    back = pq.read_table(tmp_path / "parquet" / "groups").to_pandas()
    assert back["value"].tolist()[:2] == ["1.5", ""]


def test_workers_read_the_files_and_give_the_local_tables(tmp_path, client):
    """``audit_files``: paths go to the workers; a broken file and repeated names behave as locally."""
    import shutil

    seeds = sorted(config.articles_dir().glob("*.txt"))[:3]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"\x00\x01\x02\x03" * 64)  # fails: binary
    shutil.copy(seeds[0], tmp_path / "b" / "x.txt")  # planned x.txt~1, becomes x.txt
    shutil.copy(seeds[1], tmp_path / "c" / "x.txt")  # planned x.txt~2, becomes x.txt~1
    shutil.copy(seeds[2], tmp_path / "c" / "y.txt")
    paths = [tmp_path / "a", tmp_path / "b", tmp_path / "c"]
    ref = reference.load_reference()
    local_arts, local_fail = ingest.ingest_paths(paths)
    assert [a.name for a in local_arts] == ["x.txt", "x.txt~1", "y.txt"] and len(local_fail) == 1
    parts = distributed_engine.audit_files(paths, ref, scheduler=client, npartitions=3)
    assert parts.articles["article"].tolist() == [a.name for a in local_arts]
    assert parts.failures == local_fail
    local = pipeline.analyze(local_arts, ref)
    dask = pipeline.assemble(parts, ref)
    assert len(local.claims) > 10
    for name in ("articles", "documents", "claims", "groups", "checklist"):
        pdt.assert_frame_equal(getattr(dask, name), getattr(local, name))


def test_no_files_gives_empty_tables(tmp_path, client):
    parts = distributed_engine.audit_files([tmp_path], reference.load_reference(), scheduler=client)
    assert parts.failures == [] and len(parts.articles) == 0 and len(parts.claims) == 0
    assert len(parts.checklist) == 0 and len(parts.keys) == 0


def test_parts_of_partitions_combine_to_the_parts_of_the_whole(corpus):
    """What lets the workers match concepts per partition: parts computed article by article and
    combined equal the parts of the whole corpus, concept keys included."""
    ref = reference.load_reference()
    whole = pipeline.article_parts(corpus, ref)
    pieces = pipeline.combine_parts([pipeline.article_parts([a], ref) for a in reversed(corpus)])
    assert len(whole.keys) == len(whole.claims) > 20 and (whole.keys["auto_group_id"] != "").any()
    for name in ("articles", "documents", "claims", "keys", "checklist"):
        pdt.assert_frame_equal(getattr(pieces, name), getattr(whole, name))
