"""The ``claims/`` data package schema: one description, two enforcers.

``data/datapackage.template.json`` describes every table (field types, descriptions, enums, keys).
From it this module builds the ``datapackage.json`` written beside the CSVs (checked by
``frictionless validate``) and the pandera schemas that check the typed DataFrames
``store.load_package`` returns, so the two cannot drift silently; ``tests/test_datapackage.py``
compares them. Review vocabularies (decisions, reason codes) come from ``data/review_reasons.yaml``.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Iterable, Mapping

import pandas as pd

from . import config

TABLES = ("articles", "documents", "claims", "groups", "checklist", "reference", "reviews")
MACHINE_TABLES = ("articles", "documents", "claims", "groups", "checklist")


@lru_cache(maxsize=None)
def _template() -> dict:
    with open(config.data_path("datapackage.template.json"), encoding="utf-8") as f:
        return json.load(f)


def review_vocabulary() -> tuple[dict[str, str], dict[str, dict]]:
    """(decisions -> description, reason code -> {description, decisions, note_required})."""
    data = config.load_yaml("review_reasons.yaml")
    return dict(data["decisions"]), {k: dict(v) for k, v in data["reasons"].items()}


def template() -> dict:
    """The package description with review vocabularies filled in (a fresh copy)."""
    pkg = copy.deepcopy(_template())
    decisions, reasons = review_vocabulary()
    for f in resource(pkg, "reviews")["schema"]["fields"]:
        if f["name"] == "decision":
            f.setdefault("constraints", {})["enum"] = list(decisions)
        elif f["name"] == "reason":
            f.setdefault("constraints", {})["enum"] = list(reasons)
    return pkg


def resource(pkg: Mapping, name: str) -> dict:
    for r in pkg["resources"]:
        if r["name"] == name:
            return r
    raise KeyError(f"no resource {name!r} in the data package")


def template_fields(name: str) -> list[dict]:
    return resource(template(), name)["schema"]["fields"]


def template_columns(name: str) -> list[str]:
    return [f["name"] for f in template_fields(name)]


def table_columns(name: str, df: pd.DataFrame) -> list[str]:
    """Column order written for a table: documented columns in template order, then the others
    (sorted for claims, as the contract says; in the producer's order elsewhere).

    For claims this is ``schema_columns.claim_columns`` order (a test keeps the template in step).
    """
    known = template_columns(name)
    extra = [c for c in df.columns if c not in known]
    return [c for c in known if c in df.columns] + (sorted(extra) if name == "claims" else extra)


def undocumented_columns(name: str, columns: Iterable[str]) -> list[str]:
    """Columns a table has that the template does not describe (drift to fix in the template)."""
    known = set(template_columns(name))
    return [c for c in columns if c not in known]


def infer_field_type(s: pd.Series) -> str:
    """Frictionless type for an undocumented column, from its pandas dtype."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(s.dtype):
        return "integer"
    if pd.api.types.is_float_dtype(s.dtype):
        return "number"
    return "string"


def build_resource(name: str, columns: list[str], frame: pd.DataFrame | None = None,
                   present: Mapping[str, list[str]] | None = None) -> dict:
    """The resource description of one written CSV: its actual columns, documented where known.

    ``present`` maps each written table to its columns, so keys referring to absent tables or
    columns are dropped (frictionless would otherwise reject the package).
    """
    res = copy.deepcopy(resource(template(), name))
    by_name = {f["name"]: f for f in res["schema"]["fields"]}
    fields = []
    for c in columns:
        if c in by_name:
            fields.append(by_name[c])
        else:
            t = infer_field_type(frame[c]) if frame is not None and c in frame.columns else "string"
            fields.append({"name": c, "type": t, "description": "(not yet documented in the template)"})
    res["schema"]["fields"] = fields
    cols = set(columns)
    pk = res["schema"].get("primaryKey")
    if pk is not None:
        pk_list = [pk] if isinstance(pk, str) else list(pk)
        if not set(pk_list) <= cols:
            del res["schema"]["primaryKey"]
    present = present or {}
    fks = []
    for fk in res["schema"].get("foreignKeys", []):
        ref = fk["reference"]
        here = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        there = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
        if set(here) <= cols and ref["resource"] in present and set(there) <= set(present[ref["resource"]]):
            fks.append(fk)
    if fks:
        res["schema"]["foreignKeys"] = fks
    else:
        res["schema"].pop("foreignKeys", None)
    return res


def build_package(tables: Mapping[str, list[str]], frames: Mapping[str, pd.DataFrame] | None = None) -> dict:
    """``datapackage.json`` content for the written tables (name -> columns), in template order."""
    pkg = template()
    frames = frames or {}
    pkg["resources"] = [build_resource(n, list(tables[n]), frames.get(n), tables)
                        for n in TABLES if n in tables]
    return pkg


def package_json(pkg: Mapping) -> str:
    """Deterministic JSON text (template key order, 2-space indent, UTF-8, final newline)."""
    return json.dumps(pkg, ensure_ascii=False, indent=2) + "\n"


# --- typed frames and pandera ------------------------------------------------------------------
def _required(f: Mapping) -> bool:
    return bool(f.get("constraints", {}).get("required"))


def pandas_dtype(f: Mapping) -> str:
    """The dtype ``store.load_package`` gives a field: nullable variants where values may be empty."""
    t = f["type"]
    if t == "integer":
        return "int64" if _required(f) else "Int64"
    if t == "number":
        return "float64"
    if t == "boolean":
        return "bool" if _required(f) else "boolean"
    return "str"


def coerce_frame(df: pd.DataFrame, fields: list[Mapping]) -> pd.DataFrame:
    """Raw all-text CSV frame -> typed frame; text stays "" (never NaN) where empty."""
    out = df.copy()
    for f in fields:
        c = f["name"]
        if c not in out.columns:
            continue
        col = out[c].astype(str)
        dt = pandas_dtype(f)
        if f["type"] in ("integer", "number"):
            try:
                num = pd.to_numeric(col.where(col != "", None), errors="raise")
            except (TypeError, ValueError) as e:
                raise ValueError(f"column {c!r} ({f['type']}): {e}") from None
            if dt == "int64" and num.isna().any():
                dt = "Int64"  # a required value is missing: keep the row, frictionless reports it
            out[c] = num.astype("float64") if dt == "float64" else num.astype(dt)
        elif f["type"] == "boolean":
            mapped = col.str.strip().str.lower().map({"true": True, "false": False, "1": True, "0": False})
            out[c] = mapped.astype("boolean" if mapped.isna().any() else dt)
        else:
            out[c] = col.astype("str")
    return out


def pandera_schema(res: Mapping):
    """A pandera DataFrameSchema mirroring one resource description (types, required, enums, keys)."""
    import pandera.pandas as pa

    cols = {}
    pk = res["schema"].get("primaryKey")
    pk_list = [] if pk is None else ([pk] if isinstance(pk, str) else list(pk))
    for f in res["schema"]["fields"]:
        cons = f.get("constraints", {})
        checks = []
        if f["type"] == "string":
            if cons.get("enum"):
                checks.append(pa.Check.isin(list(cons["enum"]) + [""], name=f"enum:{f['name']}"))
            if cons.get("pattern"):
                pat = cons["pattern"]
                checks.append(pa.Check(lambda s, p=pat: (s == "") | s.str.fullmatch(p), name=f"pattern:{f['name']}"))
            if cons.get("required"):
                checks.append(pa.Check(lambda s: s != "", name=f"required:{f['name']}"))
        elif f["type"] in ("integer", "number"):
            if "minimum" in cons:
                checks.append(pa.Check.ge(cons["minimum"], ignore_na=True))
        cols[f["name"]] = pa.Column(
            pandas_dtype(f), checks=checks, nullable=not cons.get("required", False) and f["type"] != "string",
            unique=bool(cons.get("unique")) or pk_list == [f["name"]], required=True)
    return pa.DataFrameSchema(cols, strict=True, ordered=True, name=res["name"])


def field_summary(res: Mapping) -> list[tuple[str, str, tuple]]:
    """(name, type, enum) per field: what the drift test compares across the two schemas."""
    return [(f["name"], f["type"], tuple(f.get("constraints", {}).get("enum", ()))) for f in res["schema"]["fields"]]


def pandera_summary(schema) -> list[tuple[str, str, tuple]]:
    """The same summary read back from a pandera schema (dtype mapped back to a frictionless type)."""
    back = {"int64": "integer", "Int64": "integer", "float64": "number", "bool": "boolean",
            "boolean": "boolean", "str": "string"}
    out = []
    for name, col in schema.columns.items():
        enum: tuple = ()
        for ch in col.checks:
            if (ch.name or "").startswith("enum:") or ch.name == "isin":
                allowed = ch.statistics.get("allowed_values", ())
                enum = tuple(v for v in allowed if v != "")
        dtype = str(col.dtype)
        out.append((name, "string" if dtype.startswith(("str", "string")) else back.get(dtype, dtype), enum))
    return out
