"""The ``claims/`` folder: deterministic CSV tables, atomic writes, and a writer lock.

Machine-owned tables (articles, documents, claims, groups) are rewritten wholesale by the main job;
``reviews.csv`` is reviewer-owned and append-only. Every write goes to a temporary file in the same
folder and is renamed into place, so a crash never leaves a half-written table.
"""
from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from pathlib import Path
from typing import Iterable

import pandas as pd


def format_cell(v) -> str:
    """One canonical text form per value, so identical data gives identical bytes."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return format(v, ".10g")
    if isinstance(v, int):
        return str(v)
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalar
        return format_cell(v.item())
    return str(v)


def to_csv_text(df: pd.DataFrame, columns: Iterable[str] | None = None) -> str:
    """CSV text with fixed columns, ``\\n`` line ends and canonical cell formatting."""
    cols = list(columns) if columns is not None else list(df.columns)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for row in df.reindex(columns=cols).itertuples(index=False, name=None):
        w.writerow([format_cell(v) for v in row])
    return buf.getvalue()


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_csv(df: pd.DataFrame, path: str | os.PathLike, columns: Iterable[str] | None = None) -> None:
    """Deterministic, atomic CSV write (UTF-8 without BOM)."""
    atomic_write_text(path, to_csv_text(df, columns))


def read_csv(path: str | os.PathLike, **kw) -> pd.DataFrame:
    """Read a claimaudit CSV keeping empty text as "" (never NaN-ified strings like "NA")."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=kw.pop("dtype", None), **kw)
