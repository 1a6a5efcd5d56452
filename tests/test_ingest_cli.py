"""`claimaudit ingest`: documents CSV, one stderr line per bad file, exit status."""
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from claimaudit.cli import cli

ARTICLES = Path(__file__).resolve().parents[1] / "articles"


def _run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def test_ingest_seed_folder(tmp_path):
    out = tmp_path / "documents.csv"
    res = _run(["ingest", str(ARTICLES), "-o", str(out)])
    assert res.exit_code == 0, res.output
    df = _read(out)
    assert list(df.columns)[:11] == ["article", "doc_id", "role", "lang", "start", "end", "title", "author",
                                     "credentials", "published", "site"]
    assert df["article"].nunique() == 5
    assert set(df["role"]) == {"main", "answer", "related", "furniture"}
    raw = out.read_bytes()
    assert b"\r\n" not in raw and not raw.startswith(b"\xef\xbb\xbf")
    # deterministic: same bytes on a second run
    out2 = tmp_path / "again.csv"
    _run(["ingest", str(ARTICLES), "-o", str(out2)])
    assert out2.read_bytes() == raw


def test_ingest_mixed_folder_reports_each_bad_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(next(ARTICLES.glob("003_*.txt")), folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "nul.txt").write_bytes(b"abc\x00def")
    (folder / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "junk.md").write_bytes(bytes([0xFF, 0x80, 0xFE]) * 300)
    (folder / "large.txt").write_text("针灸后腿软无力多属正常反应。\n" * 60_000, encoding="utf-8")
    out = tmp_path / "docs.csv"
    res = CliRunner().invoke(cli, ["ingest", str(folder), str(tmp_path / "missing.txt"), "-o", str(out),
                                   "--max-mb", "1"])
    assert res.exit_code == 1
    assert res.exception is None or isinstance(res.exception, SystemExit)
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("claimaudit: error: ")]
    reasons = {Path(ln.split(": ")[2]).name: ln.split(": ", 3)[3] for ln in errors}
    assert reasons.pop("large.txt").startswith("too large (")
    assert reasons == {
        "empty.txt": "empty file",
        "nul.txt": "binary file (contains NUL bytes)",
        "photo.html": "binary file (PNG image)",
        "junk.md": "undecodable bytes (not UTF-8, GB18030 or Big5 text)",
        "missing.txt": "no such file",
    }
    assert "Traceback" not in res.output
    df = _read(out)
    assert set(df["article"]) == {"good.txt"}
    assert (df["role"] == "answer").sum() == 16


def test_ingest_large_file_within_limit_is_processed(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(next(ARTICLES.glob("000_*.txt")).read_text(encoding="utf-8") * 150, encoding="utf-8")
    out = tmp_path / "docs.csv"
    res = _run(["ingest", str(big), "-o", str(out)])
    assert res.exit_code == 0
    assert len(_read(out)) > 150


def test_ingest_requires_output_and_paths(tmp_path):
    res = CliRunner().invoke(cli, ["ingest", str(ARTICLES)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["ingest", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2


@pytest.mark.slow
def test_ingest_20_mb_file_is_accepted_by_default(tmp_path):
    para = next(ARTICLES.glob("000_*.txt")).read_text(encoding="utf-8").split("\n")[38] * 6
    n = 20_000_000 // len((para + "\n\n").encode())
    big = tmp_path / "twenty.txt"
    big.write_text("标题\n\n" + "\n\n".join([para] * n), encoding="utf-8")
    assert big.stat().st_size > 19_500_000
    out = tmp_path / "docs.csv"
    res = _run(["ingest", str(big), "-o", str(out)])
    assert res.exit_code == 0
    df = _read(out)
    assert list(df["role"]) == ["main"] and int(df["end"][0]) > 6_000_000
