"""Workbook helpers shared by the review workbook and ``reports/audit.xlsx``.

Article text is untrusted: a quote or note that begins with ``=``, ``+``, ``-`` or ``@`` would be a
formula (CSV/formula injection) if a spreadsheet interpreted it. ``write_cell`` stores every string
as a string cell (``data_type 's'``) with Excel's quote-prefix flag, so the exact text is kept and
never evaluated, even after a reviewer edits the cell. ``read_sheet`` returns literal cell text and
never evaluates anything.
"""
from __future__ import annotations

import math
import re
from typing import Iterable, Mapping, Sequence

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .store import format_cell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's limit
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
GRADE_FILLS = {  # light fills: A green ... E red
    "A": "C6EFCE", "B": "E2EFDA", "C": "FFEB9C", "D": "F8CBAD", "E": "FFC7CE",
}
HEADER_FILL = "D9D9D9"
EDITABLE_HEADER_FILL = "BDD7EE"


def safe_value(v):
    """A value openpyxl can store as-is: numbers/bools kept, missing -> None, the rest text.

    Control characters Excel cannot hold become U+FFFD; over-long text is cut at Excel's limit.
    """
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    s = v if isinstance(v, str) else str(v)
    s = _ILLEGAL.sub("\ufffd", s)
    return s[:MAX_CELL_CHARS]


def is_formula_like(s: str) -> bool:
    return s.startswith(FORMULA_PREFIXES)


def write_cell(ws: Worksheet, row: int, col: int, v):
    """Write one value; strings are always string cells (never formulas), risky ones quote-prefixed."""
    v = safe_value(v)
    cell = ws.cell(row=row, column=col)
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"
        if v and is_formula_like(v):
            cell.quotePrefix = True
    return cell


def write_sheet(ws: Worksheet, df: pd.DataFrame, *, columns: Sequence[str] | None = None,
                editable: Iterable[str] = (), grade_column: str | None = "grade",
                widths: Mapping[str, float] | None = None, freeze: bool = True,
                autofilter: bool = True, wrap: Iterable[str] = ()) -> None:
    """``df`` as a table from A1: bold header, frozen header row, auto-filter, grade fills.

    ``editable`` headers get a blue fill so reviewers see which columns are theirs.
    """
    cols = list(columns) if columns is not None else list(df.columns)
    editable = set(editable)
    wrap = set(wrap)
    for j, c in enumerate(cols, 1):
        cell = write_cell(ws, 1, j, c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=EDITABLE_HEADER_FILL if c in editable else HEADER_FILL)
    fills = {g: PatternFill("solid", fgColor=rgb) for g, rgb in GRADE_FILLS.items()}
    sub = df.reindex(columns=cols)
    grade_j = cols.index(grade_column) + 1 if grade_column and grade_column in cols else None
    wrap_js = {cols.index(c) + 1 for c in wrap if c in cols}
    top = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(sub.itertuples(index=False, name=None), 2):
        for j, v in enumerate(row, 1):
            cell = write_cell(ws, i, j, v)
            if j == grade_j and isinstance(cell.value, str) and cell.value in fills:
                cell.fill = fills[cell.value]
            if j in wrap_js:
                cell.alignment = top
    widths = widths or {}
    for j, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(c, min(max(len(c) + 2, 10), 40))
    if freeze:
        ws.freeze_panes = "A2"
    if autofilter and cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(len(sub) + 1, 1)}"


def add_list_validation(ws: Worksheet, column: int, n_rows: int, formula: str, *,
                        title: str = "", prompt: str = "") -> DataValidation:
    """A dropdown on rows 2..n_rows+1 of ``column`` (``formula``: '"a,b,c"' or a range like
    'reasons!$A$2:$A$20'). Blank stays allowed, so an undecided row is not an error."""
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
    dv.error = f"Choose a value from the list ({title})" if title else "Choose a value from the list"
    dv.errorTitle = "claimaudit"
    if prompt:
        dv.prompt, dv.promptTitle = prompt, title or "claimaudit"
    ws.add_data_validation(dv)
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{max(n_rows + 1, 2)}")
    return dv


def inline_list(values: Iterable[str]) -> str:
    """A data-validation list formula; Excel caps it at 255 characters (use a range beyond)."""
    text = '"' + ",".join(values) + '"'
    if len(text) > 255:
        raise ValueError("list too long for an inline validation: use a sheet range")
    return text


def cell_text(v) -> str:
    """The literal text of a cell value (formulas come back as their source text, unevaluated),
    in the same canonical form the CSV tables use."""
    return format_cell(v)


def read_sheet(ws: Worksheet) -> pd.DataFrame:
    """A sheet with a header row as an all-text DataFrame; nothing is evaluated or coerced."""
    rows = ws.iter_rows(values_only=True)
    try:
        header = [cell_text(h).strip() for h in next(rows)]
    except StopIteration:
        return pd.DataFrame()
    data = [[cell_text(v) for v in r] for r in rows if any(v is not None and v != "" for v in r)]
    width = len(header)
    data = [(r + [""] * width)[:width] for r in data]
    return pd.DataFrame(data, columns=header, dtype=object)
