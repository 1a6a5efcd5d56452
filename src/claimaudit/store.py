"""The ``claims/`` folder: deterministic CSV tables, atomic writes, and a writer lock.

Machine-owned tables (articles, documents, claims, groups, checklist) are rewritten wholesale by the
main job; ``reviews.csv`` is reviewer-owned and append-only; ``reference.csv`` is written once and
then belongs to reviewers. Every write goes to a temporary file in the same folder and is renamed
into place, so a crash never leaves a half-written table. Every writer of the folder holds
``claims/.lock`` (see ``lock``), so two writers never interleave.

Stale locks: the lock file holds the writer's pid, host and start time. A lock left by a process
that no longer exists on this host (or an empty lock file older than a minute: a writer died while
creating it) is broken automatically, with a warning; a lock from another host, or from a live
process, is never broken: the second writer is refused with a message naming the holder. Delete ``claims/.lock`` by hand only when you know that writer is gone.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import socket
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Iterable, Iterator, Mapping

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
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _file_mode(path: Path) -> int:
    """Keep an existing file's mode; new files get what ``open()`` would give (0666 & ~umask),
    not mkstemp's private 0600."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_if_changed(path: str | os.PathLike, text: str) -> bool:
    """Atomic write skipped when the file already holds exactly ``text`` (no mtime churn)."""
    path = Path(path)
    if path.is_file() and path.read_bytes() == text.encode("utf-8"):
        return False
    atomic_write_text(path, text)
    return True


def write_csv(df: pd.DataFrame, path: str | os.PathLike, columns: Iterable[str] | None = None) -> None:
    """Deterministic, atomic CSV write (UTF-8 without BOM)."""
    atomic_write_text(path, to_csv_text(df, columns))


def read_csv(path: str | os.PathLike, **kw) -> pd.DataFrame:
    """Read a claimaudit CSV keeping empty text as "" (never NaN-ified strings like "NA")."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=kw.pop("dtype", None), **kw)


def read_text_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Every column as text, empty cells as "" (the raw form ``schema.coerce_frame`` types)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")


# --- the writer lock ---------------------------------------------------------------------------
LOCK_NAME = ".lock"
_held: dict[str, int] = {}  # lock path -> re-entry depth, for this process


class LockedError(RuntimeError):
    """Another writer holds ``claims/.lock``."""


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def read_lock(claims_dir: str | os.PathLike) -> dict | None:
    """The holder recorded in the lock file, or None when unlocked (``{}`` if unreadable)."""
    p = Path(claims_dir) / LOCK_NAME
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        info = json.loads(raw)
        return info if isinstance(info, dict) else {}
    except ValueError:
        return {}


def _is_stale(info: dict) -> bool:
    """Only a lock from this host whose pid is gone is stale; anything else may be live."""
    if info.get("host") != socket.gethostname():
        return False
    try:
        return not _pid_alive(int(info.get("pid", 0)))
    except (TypeError, ValueError):
        return False


def _abandoned(path: Path, grace: float = 60.0) -> bool:
    """An unreadable (empty) lock older than ``grace`` seconds: a writer died while creating it."""
    try:
        return time.time() - path.stat().st_mtime > grace
    except FileNotFoundError:
        return False


def _describe(info: dict, path: Path) -> str:
    if not info:
        return (f"{path} exists but is unreadable (a writer may be starting); "
                f"if no claimaudit process is running, delete it")
    return (f"{path} is held by pid {info.get('pid')} on {info.get('host')} since {info.get('time')} "
            f"({info.get('command', '?')}); another claimaudit writer is running. "
            f"Wait for it to finish; if that process no longer exists, delete {path}")


def _clean_temp_files(folder: Path) -> None:
    """Remove temporary files a crashed writer left (only called while holding the lock)."""
    for p in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            p.unlink()


@contextlib.contextmanager
def lock(claims_dir: str | os.PathLike, command: str | None = None) -> Iterator[Path]:
    """Hold ``claims/.lock`` (created with O_CREAT|O_EXCL) for the duration of a write.

    Re-entrant within one process. Raises ``LockedError`` naming the holder when another live
    writer has it; breaks a stale lock (dead pid on this host) with a warning.
    """
    folder = Path(claims_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    key = str(path.resolve())
    if _held.get(key):
        _held[key] += 1
        try:
            yield path
        finally:
            _held[key] -= 1
        return
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": command or " ".join(os.path.basename(a) if i == 0 else a
                                           for i, a in enumerate(sys.argv[:4]))}
    for attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = read_lock(folder)
            if holder is None:
                continue  # released between our open and our read: try again
            if attempt == 0 and (_is_stale(holder) if holder else _abandoned(path)):
                warnings.warn(f"breaking stale lock {path} left by dead pid {(holder or {}).get('pid', '?')}",
                              stacklevel=3)
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                _clean_temp_files(folder)
                continue
            raise LockedError(_describe(holder, path)) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(info, f)
            f.flush()
            os.fsync(f.fileno())
        break
    else:
        raise LockedError(_describe(read_lock(folder) or {}, path))
    _held[key] = 1
    try:
        yield path
    finally:
        _held.pop(key, None)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# --- the data package --------------------------------------------------------------------------
def _natural_doc_key(s: pd.Series) -> pd.Series:
    """``a.txt#10`` after ``a.txt#9``: sort key as (article, zero-padded n)."""
    parts = s.astype(str).str.rpartition("#")
    n = parts[2].where(parts[2].str.fullmatch(r"\d+"), "")
    return parts[0] + "#" + n.str.zfill(9) + parts[2].where(n == "", "")


SORT_KEYS = {
    "articles": ["article"],
    "documents": ["doc_id"],
    "claims": ["claim_id"],
    "groups": ["group_id"],
    "checklist": ["doc_id"],
}


def sort_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Rows in a fixed order: by the table's key (document ids in natural order); stable otherwise."""
    keys = [k for k in SORT_KEYS.get(name, []) if k in df.columns]
    if not keys or df.empty:
        return df.reset_index(drop=True)

    def key(col: pd.Series) -> pd.Series:
        return _natural_doc_key(col) if col.name == "doc_id" else col.astype(str)

    return df.sort_values(keys, key=key, kind="stable").reset_index(drop=True)


def _frames(tables) -> dict[str, pd.DataFrame]:
    if isinstance(tables, Mapping):
        return {k: v for k, v in tables.items() if isinstance(v, pd.DataFrame)}
    return {n: getattr(tables, n) for n in ("articles", "documents", "claims", "groups", "checklist",
                                            "reference") if isinstance(getattr(tables, n, None), pd.DataFrame)}


def write_machine_tables(claims_dir: str | os.PathLike, tables) -> dict[str, bool]:
    """Write the machine-owned tables and ``datapackage.json``; never touch existing review rows.

    ``tables`` is a ``pipeline.AuditTables`` (or a mapping name -> DataFrame). ``reference.csv`` is
    written only when absent (reviewers extend it); ``reviews.csv`` is created with its header when
    absent. Files whose bytes would not change are left alone. Returns file name -> rewritten?
    """
    from . import review, schema

    folder = Path(claims_dir)
    frames = _frames(tables)
    changed: dict[str, bool] = {}
    written: dict[str, list[str]] = {}
    typed: dict[str, pd.DataFrame] = {}
    with lock(folder, command="claimaudit audit"):
        for name in schema.MACHINE_TABLES:
            if name not in frames:
                continue
            df = sort_table(name, frames[name])
            cols = schema.table_columns(name, df)
            changed[f"{name}.csv"] = write_text_if_changed(folder / f"{name}.csv", to_csv_text(df, cols))
            written[name], typed[name] = cols, df
        ref_path = folder / "reference.csv"
        if not ref_path.exists() and "reference" in frames:
            ref = frames["reference"]
            cols = schema.table_columns("reference", ref)
            atomic_write_text(ref_path, to_csv_text(ref, cols))
            changed["reference.csv"] = True
        if ref_path.exists():
            ref_cols = list(pd.read_csv(ref_path, nrows=0, encoding="utf-8-sig").columns)
            written["reference"] = ref_cols
            typed["reference"] = read_csv(ref_path, encoding="utf-8-sig")  # the file is what is described
        rev_path = folder / "reviews.csv"
        if not rev_path.exists():
            atomic_write_text(rev_path, to_csv_text(pd.DataFrame(columns=review.REVIEW_COLUMNS)))
            changed["reviews.csv"] = True
        written["reviews"] = list(pd.read_csv(rev_path, nrows=0, encoding="utf-8-sig").columns)
        pkg = schema.build_package(written, typed)
        changed["datapackage.json"] = write_text_if_changed(folder / "datapackage.json", schema.package_json(pkg))
    return changed


def package_descriptor(claims_dir: str | os.PathLike) -> dict:
    """The folder's ``datapackage.json``, or the template when there is none yet."""
    from . import schema

    p = Path(claims_dir) / "datapackage.json"
    if p.is_file():
        return json.loads(p.read_text(encoding="utf-8"))
    return schema.template()


def load_table(claims_dir: str | os.PathLike, name: str, descriptor: Mapping | None = None) -> pd.DataFrame:
    """One table of the package with the dtypes its description gives (text "" where empty)."""
    from . import schema

    descriptor = descriptor or package_descriptor(claims_dir)
    try:
        res = schema.resource(descriptor, name)
    except KeyError:
        res = schema.resource(schema.template(), name)
    path = Path(claims_dir) / res.get("path", f"{name}.csv")
    raw = read_text_csv(path)
    return schema.coerce_frame(raw, res["schema"]["fields"])


def load_package(claims_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Every table present in ``claims_dir``, typed (ints, floats, bools; text "" not NaN)."""
    from . import schema

    descriptor = package_descriptor(claims_dir)
    out = {}
    for name in schema.TABLES:
        if (Path(claims_dir) / f"{name}.csv").is_file():
            out[name] = load_table(claims_dir, name, descriptor)
    return out
