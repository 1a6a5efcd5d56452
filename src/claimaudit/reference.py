"""Threshold claims checked against a cited reference table of clinical cut-offs.

A page that writes "空腹血糖>7.0mmol/L" restates a diagnostic criterion; whether it restates it
faithfully (ADA and the Chinese guideline say ≥ 7.0) is checkable without judging the page's
evidence. The table (``data/reference.csv``, or a reviewer-extended ``claims/reference.csv``) holds
one cited cut-off per row; the analyte lexicon (``data/analytes.yaml``) ties sentence words to
table rows; pint converts units (mass ↔ amount concentration through each analyte's molar mass).

Outcomes, per threshold claim: ``matches`` (same value, same inclusivity), ``operator_mismatch``
(same value, > vs ≥ or < vs ≤), ``value_deviates`` (nearest cited value differs), ``no_reference``
(no analyte found, or no comparable row).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import pint

from .config import data_path, load_yaml
from .literals import LiteralOwners
from .textnorm import simplified_view

REFERENCE_FILE = "reference.csv"
REQUIRED_COLUMNS = ("key", "analyte_or_measure", "comparator", "value", "unit", "meaning", "source",
                    "source_year")
OPTIONAL_COLUMNS = ("analyte", "value_high", "population", "url_or_identifier", "confidence", "note",
                    "terms")
COMPARATORS = ("lt", "le", "gt", "ge", "eq", "range")
CONFIDENCE_LEVELS = ("", "high", "medium", "low", "unverified")
OUTCOMES = ("matches", "operator_mismatch", "value_deviates", "no_reference")
OUTPUT_COLUMNS = ["reference_check", "reference_key", "reference_comparator", "reference_value",
                  "reference_unit"]
_LOWER = ("lt", "le")
_UPPER = ("gt", "ge")
_POINT = ("eq", "approx")
_COMPLEMENTS = {("lt", "ge"), ("ge", "lt"), ("le", "gt"), ("gt", "le")}
_MEQ = "mEq/L"
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
_PAIR_BEFORE = re.compile(r"[0-9０-９][\s]*[/／][\s]*$")
_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEP = re.compile(r"[\s\-]+")


class ReferenceTableError(ValueError):
    """The reference table is malformed; the message names the file, line and key."""


# ---------------------------------------------------------------- lexicon and units

def _lexicon() -> dict[str, Any]:
    return load_yaml("analytes.yaml")


def analytes() -> dict[str, dict]:
    """Analyte key → its lexicon entry (terms, molar mass, units...)."""
    return _lexicon()["analytes"]


def _settings() -> dict[str, Any]:
    return _lexicon().get("settings", {})


@lru_cache(maxsize=1)
def unit_registry() -> pint.UnitRegistry:
    """The shared pint registry, with the package's extra units (IU, 寸) defined once."""
    ureg = pint.UnitRegistry()
    for definition in _lexicon().get("pint_definitions", []):
        ureg.define(definition)
    return ureg


def pint_expression(unit: str) -> str:
    """A unit spelling (claims-table canonical or a common variant) as a pint expression."""
    aliases, folded = _aliases()
    u = unicodedata.normalize("NFC", str(unit or "")).strip()
    if u in aliases:
        return aliases[u]
    return folded.get(u.casefold(), u)


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    aliases = {str(k): str(v) for k, v in _lexicon()["unit_aliases"].items()}
    return aliases, {k.casefold(): v for k, v in aliases.items()}


@lru_cache(maxsize=None)
def _parse_unit(expr: str) -> pint.Unit | None:
    try:
        return unit_registry().parse_units(expr) if expr else unit_registry().dimensionless
    except (pint.errors.PintError, ValueError, TypeError, AttributeError, SyntaxError):
        return None


def unit_known(unit: str) -> bool:
    """True when pint understands ``unit`` after the package's aliases.

    mEq/L is not: claims in it are read through the analyte's valence, but a cited row states its
    cut-off in mmol/L (or a mass unit) so that no reader has to guess the valence.
    """
    return _parse_unit(pint_expression(unit)) is not None


def _lang_family(lang: str) -> str:
    return "zh" if str(lang or "").startswith("zh") else "en"


def _per_lang(value: Any, family: str) -> Any:
    return value.get(family) if isinstance(value, dict) else value


def effective_unit(unit: str, analyte: str | None = None, lang: str = "en") -> str:
    """The pint expression a claim's unit stands for; a bare number takes the analyte's usual unit
    (空腹血糖7.0 means mmol/L on a Chinese page, "fasting glucose 126" means mg/dL in English)."""
    info = analytes().get(analyte or "", {})
    raw = str(unit or "").strip()
    if raw == "" or raw in info.get("reinterpret_units", []):
        bare = _per_lang(info.get("bare_unit"), _lang_family(lang))
        if bare is not None:
            raw = bare
    return pint_expression(raw)


def to_quantity(value: float, unit: str, analyte: str | None = None, lang: str = "en"):
    """``value`` in ``unit`` as a pint Quantity; None when the unit is unknown or not comparable.

    The analyte decides what a missing unit means (bare_unit), which units are comparable at all
    (accept_units) and how mEq/L reads (valence).
    """
    info = analytes().get(analyte or "", {})
    expr = effective_unit(unit, analyte, lang)
    accept = info.get("accept_units")
    if accept and expr not in {pint_expression(a) for a in accept}:
        return None
    ureg = unit_registry()
    if expr == _MEQ:
        valence = info.get("valence")
        return ureg.Quantity(value / valence, "mmol/L") if valence else None
    parsed = _parse_unit(expr)
    return None if parsed is None else ureg.Quantity(value, parsed)


def convert(quantity, target_unit: str, analyte: str | None = None) -> float | None:
    """``quantity`` expressed in ``target_unit``; mass ↔ amount through the analyte's molar mass.

    Returns None when the dimensions cannot be reconciled (e.g. percent vs mmol/L).
    """
    ureg = unit_registry()
    target_expr = pint_expression(target_unit)
    target = _parse_unit(target_expr)
    if quantity is None or target is None:
        return None
    candidates = [quantity]
    molar_mass = analytes().get(analyte or "", {}).get("molar_mass_g_per_mol")
    if molar_mass:
        m = ureg.Quantity(float(molar_mass), "g/mol")
        try:
            candidates += [quantity / m, quantity * m]
        except pint.errors.PintError:  # offset units (°C) cannot be multiplied
            pass
    for q in candidates:
        if q.dimensionality == ureg.Quantity(1, target).dimensionality:
            try:
                return float(q.to(target).magnitude)
            except pint.errors.PintError:
                return None
    return None


@lru_cache(maxsize=4096)
def _linear_factor(unit: str, analyte: str, lang_family: str, target_unit: str) -> float | None:
    q = to_quantity(1.0, unit, analyte, lang_family)
    return convert(q, target_unit, analyte)


@lru_cache(maxsize=None)
def _is_temperature(expr: str) -> bool:
    """Whether a unit expression is a temperature (formatting pint dimensions is slow: cached)."""
    parsed = _parse_unit(expr)
    return parsed is not None and "[temperature]" in str(parsed.dimensionality)


@lru_cache(maxsize=4096)
def _has_offset(unit: str, analyte: str, lang_family: str) -> bool:
    """Whether a claim unit (as ``effective_unit`` reads it) is a temperature, whose scales have
    offsets (asked for every cited row a claim is compared with)."""
    return _is_temperature(effective_unit(unit, analyte, lang_family))


def convert_value(value: float, unit: str, target_unit: str, analyte: str | None = None,
                  lang: str = "en") -> float | None:
    """A claim number in ``unit`` expressed in ``target_unit`` (None if not comparable).

    Multiplicative units go through a cached pint factor (pint arithmetic costs ~1 ms a call);
    temperatures, whose scales have offsets, go through pint every time.
    """
    fam = _lang_family(lang)
    if _has_offset(str(unit or ""), analyte or "", fam):
        return convert(to_quantity(value, unit, analyte, lang), target_unit, analyte)
    factor = _linear_factor(str(unit or ""), analyte or "", fam, target_unit)
    return None if factor is None else value * factor


# ---------------------------------------------------------------- the reference table

def reference_path(claims_dir: str | Path | None = None) -> Path:
    """``claims_dir/reference.csv`` when it exists (a reviewer may extend it), else the package's."""
    if claims_dir is not None:
        p = Path(claims_dir) / REFERENCE_FILE
        if p.is_file():
            return p
    return data_path(REFERENCE_FILE)


def load_reference(claims_dir: str | Path | None = None) -> pd.DataFrame:
    """The validated reference table (``claims_dir/reference.csv`` if present, else the default).

    ``value``/``value_high`` become floats, ``source_year`` an int; optional columns are added
    empty. ``df.attrs["path"]`` names the file read. Raises ReferenceTableError naming the row.
    """
    path = reference_path(claims_dir)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return validate_reference(df, str(path))


def _row_error(where: str, i: int, key: str, msg: str) -> ReferenceTableError:
    return ReferenceTableError(f"{where}: line {i + 2} (key {key!r}): {msg}")


def _float(text: str) -> float | None:
    try:
        v = float(str(text).strip())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def validate_reference(df: pd.DataFrame, where: str = "reference table") -> pd.DataFrame:
    """Check and type a raw (all-string) reference table; see load_reference."""
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ReferenceTableError(f"{where}: missing required column(s): {', '.join(missing)}")
    for c in OPTIONAL_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df.fillna("").astype(str).apply(lambda s: s.str.strip())
    known = analytes()
    values, highs, years, seen = [], [], [], set()
    for i, row in enumerate(df.to_dict("records")):
        key = row["key"]
        if not key:
            raise _row_error(where, i, key, "empty key")
        if key in seen:
            raise _row_error(where, i, key, "duplicate key")
        seen.add(key)
        if not row["source"]:
            raise _row_error(where, i, key, "empty source: every threshold needs a citation")
        if not re.fullmatch(r"(1[89]|20)\d\d", row["source_year"]):
            raise _row_error(where, i, key, f"source_year {row['source_year']!r} is not a year")
        if row["comparator"] not in COMPARATORS:
            raise _row_error(where, i, key, f"comparator {row['comparator']!r} not in {COMPARATORS}")
        value = _float(row["value"])
        if value is None:
            raise _row_error(where, i, key, f"value {row['value']!r} is not a number")
        high = _float(row["value_high"]) if row["value_high"] else None
        if row["comparator"] == "range" and (high is None or high < value):
            raise _row_error(where, i, key, "a range needs value_high >= value")
        if not unit_known(row["unit"]):
            raise _row_error(where, i, key, f"unit {row['unit']!r} unknown to pint (add an alias "
                                            "in data/analytes.yaml)")
        if row["confidence"] not in CONFIDENCE_LEVELS:
            raise _row_error(where, i, key, f"confidence {row['confidence']!r} not in "
                                            f"{CONFIDENCE_LEVELS[1:]}")
        if row["analyte"] and row["analyte"] not in known and not row["terms"]:
            raise _row_error(where, i, key, f"analyte {row['analyte']!r} is not in data/analytes.yaml;"
                                            " add it there or give its words in a 'terms' column")
        values.append(value)
        highs.append(high if high is not None else math.nan)
        years.append(int(row["source_year"]))
    df["value"] = pd.Series(values, index=df.index, dtype=float)
    df["value_high"] = pd.Series(highs, index=df.index, dtype=float)
    df["source_year"] = pd.Series(years, index=df.index, dtype=int)
    df.attrs["path"] = where
    return df


# ---------------------------------------------------------------- finding the analyte

def _term_pattern(term: str) -> str:
    """Regex for one term: spaces/hyphens flexible; Latin terms kept off longer Latin words."""
    parts = [re.escape(p) for p in _SEP.split(term.strip()) if p]
    body = r"[\s\-]*".join(parts)
    if _HAN.search(term):
        return body
    if len(term) > 3:
        body = f"(?i:{body})"
    if _LATIN_EDGE.match(term[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _LATIN_EDGE.match(term[-1]):
        body += r"(?![A-Za-z])"
    return body


def _entry_terms(entry: dict) -> list[str]:
    terms = entry.get("terms", {})
    if isinstance(terms, dict):
        return [str(t) for group in terms.values() for t in (group or [])]
    return [str(t) for t in terms or []]


def _term_literal(term: str) -> str:
    """The longest space/hyphen-separated part of a term: ``_term_pattern`` matches it verbatim
    (case-insensitively when the term is a Latin one longer than 3 characters)."""
    return max((p for p in _SEP.split(term.strip()) if p), key=len, default="")


@dataclass(frozen=True)
class _Lexicon:
    """The analyte alternations, and an index of literals that rules most of them out at once.

    A number has at most a few analyte terms near it, but each alternation costs a scan of the
    whole window (a Latin term's look-behind keeps the regex engine from skipping ahead). Every
    match of a term contains its ``_term_literal``, so an analyte none of whose literals occurs
    in the window cannot match there and is not searched.

    ``exact``/``folded``: the literals of case-sensitive terms (Han ones, Latin ones of up to 3
    characters) and, lowercased, of case-insensitive ones. ``always``: analytes with a literal
    that cannot be indexed (empty, or a non-ASCII case-insensitive one); ``has_folded``:
    analytes with case-insensitive literals.
    """

    matchers: tuple[tuple[str, re.Pattern], ...]
    exact: LiteralOwners
    folded: LiteralOwners
    always: frozenset[int]
    has_folded: frozenset[int]

    def candidates(self, window: str) -> set[int]:
        """Indices of the analytes that may have a term in ``window`` (a superset)."""
        found = self.exact.find(window)
        found |= self.always
        low = _folded(window)
        if low is None:
            found |= self.has_folded
        else:
            found |= self.folded.find(low)
        return found


@lru_cache(maxsize=16)
def _analyte_lexicon(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> _Lexicon:
    """One compiled alternation per analyte in key order (longest term first), from
    data/analytes.yaml plus the reference table's ``terms`` (``extra``), with its literal index."""
    table: dict[str, list[str]] = {k: _entry_terms(v) for k, v in analytes().items()}
    for key, terms in extra:
        table.setdefault(key, []).extend(terms)
    matchers: list[tuple[str, re.Pattern]] = []
    exact: list[tuple[str, int]] = []
    folded: list[tuple[str, int]] = []
    always, has_folded = set(), set()
    for key in sorted(table):
        terms = sorted({simplified_view(t) for t in table[key] if t.strip()}, key=lambda t: (-len(t), t))
        if not terms:
            continue
        i = len(matchers)
        matchers.append((key, re.compile("|".join(_term_pattern(t) for t in terms))))
        for t in terms:
            lit = _term_literal(t)
            if _HAN.search(t) or len(t) <= 3:  # matched case-sensitively (see _term_pattern)
                index = exact
            else:
                index, lit = folded, lit.lower()
                has_folded.add(i)
            if not lit or (index is folded and not lit.isascii()):
                always.add(i)
            else:
                index.append((lit, i))
    return _Lexicon(tuple(matchers), LiteralOwners(exact), LiteralOwners(folded), frozenset(always),
                    frozenset(has_folded))


# A non-ASCII character that IGNORECASE matching equates with an ASCII letter (ſ, ı, İ, the
# Kelvin sign): str.lower() does not map it the same way, so such a window is not folded.
_FOLDS_TO_ASCII = re.compile(r"(?i:[a-z])(?<![A-Za-z])")


def _folded(window: str) -> str | None:
    """``window`` lowercased, when an ASCII literal occurs in it case-insensitively exactly where
    its lowercase occurs in the result (same length, no special case folds); else None."""
    low = window.lower()
    if len(low) != len(window) or _FOLDS_TO_ASCII.search(window):
        return None
    return low


def _extra_terms(ref: pd.DataFrame) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if "terms" not in ref.columns:
        return ()
    pairs = {}
    for analyte, terms in zip(ref.get("analyte", ref["key"]), ref["terms"]):
        words = tuple(t.strip() for t in str(terms or "").split(";") if t.strip())
        if words:
            pairs.setdefault(str(analyte), set()).update(words)
    return tuple(sorted((k, tuple(sorted(v))) for k, v in pairs.items()))


@lru_cache(maxsize=None)
def _max_gap(lang_family: str) -> int:
    """Most characters between an analyte term and its number (analytes.yaml settings)."""
    gaps = _settings().get("max_gap_chars", {})
    return int(_per_lang(gaps, lang_family) or 32) if gaps else 32


def find_analyte(view: str, value_pos: int, lang: str = "zh-Hans",
                 extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> tuple[str, int, int] | None:
    """The analyte whose term ends nearest before ``value_pos`` (ties: the longer term).

    ``view`` is the sentence's simplified view. Returns (analyte key, term start, term end) or None
    when no term ends within the configured gap. Generic terms resolve (血压 → systolic, or
    diastolic for the second number of "140/90").
    """
    gap = _max_gap(_lang_family(lang))
    lo = max(0, value_pos - gap - 40)
    window = view[lo:value_pos]
    lexicon = _analyte_lexicon(extra)
    candidates = lexicon.candidates(window)
    best: tuple[int, int, str] | None = None
    for i in sorted(candidates):  # key order: on a tie the first analyte keeps its place
        key, rx = lexicon.matchers[i]
        for m in rx.finditer(window):
            if m.end() == m.start():
                continue
            cand = (m.end(), m.end() - m.start(), key)
            if best is None or cand[:2] > best[:2]:
                best = cand
    if best is None or value_pos - (lo + best[0]) > gap:
        return None
    end, length, key = best
    info = analytes().get(key, {})
    if info.get("second_of_pair") and _PAIR_BEFORE.search(view[max(0, value_pos - 8):value_pos]):
        key = info["second_of_pair"]
    elif info.get("resolve_to"):
        key = info["resolve_to"]
    return key, lo + end - length, lo + end


def _num(token: str) -> float:
    return float(unicodedata.normalize("NFKC", token))


def value_position(view: str, q_start: int, q_end: int, values: Iterable[float]) -> int:
    """Where the claim's number starts in ``view`` (the quote may include its analyte, "B12<100").

    The first number token in the quote equal to one of the claim's values; else the first one not
    glued to a Latin letter (the 12 of B12, the 1 of A1c); else the quote start.
    """
    wanted = [v for v in values if v is not None and not math.isnan(v)]
    tokens = list(_NUMBER.finditer(view, q_start, q_end))
    for m in tokens:
        if any(math.isclose(_num(m.group()), v, rel_tol=1e-9, abs_tol=1e-12) for v in wanted):
            return m.start()
    for m in tokens:
        if m.start() == 0 or not re.match(r"[A-Za-z]", view[m.start() - 1]):
            return m.start()
    return q_start


# ---------------------------------------------------------------- comparing

@dataclass(frozen=True)
class _Candidate:
    order: int
    key: str
    comparator: str
    value: float
    value_high: float
    unit: str
    analyte: str
    unit_expr: str  # pint_expression(unit), compared with every claim's unit


def _candidates(ref: pd.DataFrame) -> dict[str, list[_Candidate]]:
    """Usable rows by analyte, in table order (rows marked unverified wait for a reviewer)."""
    out: dict[str, list[_Candidate]] = {}
    n = len(ref)
    conf = ref["confidence"].tolist() if "confidence" in ref.columns else [""] * n
    analyte_col = (ref["analyte"] if "analyte" in ref.columns else ref["key"]).tolist()
    highs = ref["value_high"].tolist() if "value_high" in ref.columns else [None] * n
    # plain column lists: DataFrame.to_dict("records") cost more than the rest (once per chunk)
    rows = zip(ref["key"].tolist(), ref["comparator"].tolist(), ref["value"].tolist(), highs,
               ref["unit"].tolist(), conf, analyte_col)
    for i, (key, comparator, value, high, unit, c, a) in enumerate(rows):
        if str(c).strip() == "unverified" or not str(a).strip():
            continue
        out.setdefault(str(a), []).append(_Candidate(
            i, key, comparator, float(value),
            float(high) if high not in (None, "") else math.nan, unit, str(a),
            pint_expression(unit)))
    return out


def _same(a: float, b: float, tol_rel: float, tol_abs: float | None) -> bool:
    if tol_abs is not None:
        return abs(a - b) <= tol_abs + 1e-12
    return abs(a - b) <= tol_rel * max(abs(b), 1e-12)


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-12)


def _claim_values(row: dict) -> tuple[str, float | None, float | None]:
    """(comparator, low, high) with NaN/empty as None."""
    def f(x):
        try:
            v = float(x)
        except (TypeError, ValueError):
            return None
        return None if math.isnan(v) else v
    return str(row.get("comparator") or ""), f(row.get("value_low")), f(row.get("value_high"))


@dataclass(frozen=True)
class _Score:
    distance: float          # relative distance to the cited value(s) used for ranking
    same_operator: bool      # the claim's operator is the row's (or the row has none to differ)
    range_end: bool          # compared with one end of a cited category range, not a threshold
    pairs: tuple             # (claim value in the row's unit, cited value) pairs to judge
    complement: bool = False  # compared with the opposite side of the cut-off (<24 vs ≥24)


def _score(comp: str, lo: float | None, hi: float | None, cand: _Candidate, conv) -> _Score | None:
    """How a claim compares with one row; None if not comparable (direction, unit).

    ``conv(x)`` converts a claim number into the row's unit (None when impossible).
    """
    def range_end(cv: float, comp: str) -> _Score:
        # a category range [a, b] says ">= a" and "<= b" are inside, "< a" and "> b" outside
        lower = comp in _LOWER
        ends = ((cand.value, "lt" if lower else "ge"), (cand.value_high, "le" if lower else "gt"))
        e, implied = min(ends, key=lambda x: (_rel(cv, x[0]), x[0]))
        return _Score(_rel(cv, e), implied == comp, True, ((cv, e),))

    if comp in _LOWER or comp in _UPPER:
        v = (hi if hi is not None else lo) if comp in _LOWER else (lo if lo is not None else hi)
        family = _LOWER if comp in _LOWER else _UPPER
        cv = conv(v)
        if cv is None:
            return None
        if cand.comparator in family or cand.comparator == "eq":
            return _Score(_rel(cv, cand.value), cand.comparator in (comp, "eq"), False, ((cv, cand.value),))
        if cand.comparator == "range":
            return range_end(cv, comp)
        # the other side of the same cut-off: "BMI<24" restates "overweight: BMI≥24"; the bound
        # agrees only when exactly one side includes it (lt↔ge, le↔gt)
        return _Score(_rel(cv, cand.value), (comp, cand.comparator) in _COMPLEMENTS, False,
                      ((cv, cand.value),), complement=True)
    if comp == "range":
        if cand.comparator != "range" or lo is None or hi is None:
            return None
        cl, ch = conv(lo), conv(hi)
        if cl is None or ch is None:
            return None
        return _Score(max(_rel(cl, cand.value), _rel(ch, cand.value_high)), True, False,
                      ((cl, cand.value), (ch, cand.value_high)))
    if comp in _POINT:
        cv = conv(lo if lo is not None else hi)
        if cv is None:
            return None
        if cand.comparator != "range":
            return _Score(_rel(cv, cand.value), True, False, ((cv, cand.value),))
        if cand.value <= cv <= cand.value_high:
            return _Score(0.0, True, False, ())
        end = cand.value_high if cv > cand.value_high else cand.value
        return _Score(_rel(cv, end), True, True, ((cv, end),))
    return None


def _fmt(v: float) -> str:
    return format(float(v), ".10g")


def _ref_value_text(c: _Candidate) -> str:
    return f"{_fmt(c.value)}-{_fmt(c.value_high)}" if c.comparator == "range" else _fmt(c.value)


@lru_cache(maxsize=256)
def _sentence_view(sentence: str) -> str:
    """Simplified view of a sentence, cached: a sentence often holds several thresholds."""
    return simplified_view(sentence)


def check_claim(row: dict, by_analyte: dict[str, list[_Candidate]],
                extra: tuple = ()) -> tuple[str, str, str, str, str]:
    """The five reference columns for one claim row (all empty for non-threshold claims)."""
    if str(row.get("kind") or "") != "threshold":
        return ("", "", "", "", "")
    none = ("no_reference", "", "", "", "")
    comp, lo, hi = _claim_values(row)
    if lo is None and hi is None:
        return none
    sentence = str(row.get("sentence") or "")
    quote = str(row.get("quote") or "")
    try:
        q_start = int(row.get("start")) - int(row.get("sentence_start"))
    except (TypeError, ValueError):
        q_start = -1
    if not (0 <= q_start and sentence[q_start:q_start + len(quote)] == quote):
        q_start = sentence.find(quote) if quote else -1
        if q_start < 0:
            sentence, q_start = quote, 0
    lang = str(row.get("lang") or "")
    view = _sentence_view(sentence)
    pos = value_position(view, q_start, q_start + len(quote), (lo, hi))
    found = find_analyte(view, pos, lang, extra)
    if found is None:
        return none
    analyte = found[0]
    info = analytes().get(analyte, {})
    keys = [analyte] + [a for a in info.get("fallback", []) if a != analyte]
    unit = str(row.get("unit") or "")
    claim_unit = effective_unit(unit, analyte, lang)
    best = None
    for rank, a in enumerate(keys):
        for cand in by_analyte.get(a, []):
            def conv(x, cand=cand):
                return None if x is None else convert_value(x, unit, cand.unit, analyte, lang)
            sc = _score(comp, lo, hi, cand, conv)
            if sc is None:
                continue
            close = _close(sc, analyte, claim_unit == cand.unit_expr)
            # a row the claim restates beats any deviation; a cited threshold beats the end of a
            # cited range (空腹血糖>7.0 restates the diagnostic ≥ 7.0, not "above the 4.4–7.0
            # goal"); then the nearest value, the same operator, the analyte's own rows, file order
            order = (not close, sc.range_end, sc.complement, sc.distance, not sc.same_operator, rank,
                     cand.order)
            if best is None or order < best[0]:
                best = (order, cand, sc, close)
    if best is None:
        return none
    _, cand, sc, close = best
    if not close:
        outcome = "value_deviates"
    elif comp in _LOWER + _UPPER and not sc.same_operator:
        outcome = "operator_mismatch"
    else:
        outcome = "matches"
    return (outcome, cand.key, cand.comparator, _ref_value_text(cand), cand.unit)


def _close(sc: _Score, analyte: str, same_unit: bool) -> bool:
    """Every compared value equals its cited value within the tolerance (see analytes.yaml)."""
    tol_rel, tol_abs = _tolerances(analyte, same_unit)
    return all(_same(c, r, tol_rel, tol_abs) for c, r in sc.pairs)


@lru_cache(maxsize=None)
def _tolerances(analyte: str, same_unit: bool) -> tuple[float, float | None]:
    """(relative, absolute or None) tolerance for comparing an analyte's claim with a cited
    value (analytes.yaml), read once per analyte instead of once per comparison."""
    settings = _settings()
    tol_abs = analytes().get(analyte, {}).get("abs_tolerance")
    tol_rel = (settings.get("rel_tolerance_same_unit", 0.001) if same_unit
               else settings.get("rel_tolerance", 0.02))
    return tol_rel, None if tol_abs is None else float(tol_abs)


_CHECK_COLUMNS = ("kind", "comparator", "value_low", "value_high", "sentence", "quote", "start",
                  "sentence_start", "lang", "unit")  # what check_claim reads of a row


def check_references(claims: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``claims`` with the five reference columns appended (see module docstring).

    Only ``kind == "threshold"`` rows are checked; every other row gets "" in all five columns.
    """
    out = claims.copy()
    by_analyte = _candidates(ref)
    extra = _extra_terms(ref)
    empty = ("",) * len(OUTPUT_COLUMNS)
    results = [empty] * len(claims)
    kinds = claims["kind"].tolist() if "kind" in claims.columns else [None] * len(claims)
    rows = [i for i, k in enumerate(kinds) if str(k or "") == "threshold"]
    if rows:  # row dicts only for threshold claims, and only of the columns check_claim reads
        needed = [c for c in _CHECK_COLUMNS if c in claims.columns]
        picked = claims[needed].iloc[rows]
        columns = [picked[c].tolist() for c in needed]
        for i, values in zip(rows, zip(*columns)):
            results[i] = check_claim(dict(zip(needed, values)), by_analyte, extra)
    for j, col in enumerate(OUTPUT_COLUMNS):
        out[col] = pd.Series([r[j] for r in results], index=claims.index, dtype=object)
    return out
