"""The editorial QA report: ``reports/audit.html`` (one self-contained page) and ``audit.xlsx``.

The page is built from escaped strings only: every piece of article text goes through
``html.escape``, charts are matplotlib SVGs re-serialized through an allow-list, and a strict
Content-Security-Policy forbids scripts and any network load. Output is deterministic (no
timestamps, stable order), so the same articles give byte-identical reports.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from . import config, store

HTML_NAME = "audit.html"
XLSX_NAME = "audit.xlsx"
FIXED_DATE = datetime(2000, 1, 1, 0, 0, 0)
GRADES = ("A", "B", "C", "D", "E")
THRESHOLD_PROBLEMS = ("operator_mismatch", "value_deviates")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
       "script-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
GROUP_TABLE_COLUMNS = ["group_id", "subject_label_zh", "measure_label", "unit", "verdict", "n_claims",
                       "n_articles", "consensus", "n_conflict_pairs", "n_within_article_conflicts",
                       "heterogeneity"]
CLAIM_TABLE_COLUMNS = ["claim_id", "quote", "value", "comparator", "kind", "evidence_cue", "grade",
                       "flags", "reference_check", "group_id", "review"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG_DROP = {"script", "foreignObject", "iframe", "object", "embed", "audio", "video", "metadata",
             "handler", "listener", "set", "animate"}
_SAFE_HREF = ("#", "data:image/png;base64,", "data:image/jpeg;base64,")
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)
_ID_REF = re.compile(r"url\(#([^)\s]+)\)")

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


# --- small pure helpers -----------------------------------------------------------------------
def esc(v) -> str:
    """Escaped text of any cell (``store.format_cell`` gives the canonical text form)."""
    return html.escape(store.format_cell(v), quote=True)


def slug(prefix: str, key: str) -> str:
    """A safe HTML id: keeps ``[A-Za-z0-9_-]``, replaces the rest, so any article name works."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)


def claim_anchor(claim_id: str) -> str:
    return slug("claim", claim_id)


def context_anchor(claim_id: str) -> str:
    return slug("ctx", claim_id)


def article_anchor(articles: Sequence[str], name: str) -> str:
    """Position-based ids: two names that sanitize alike still get distinct anchors."""
    return f"article-{list(articles).index(name) + 1}"


def interval_text(low, high, unit) -> str:
    """``3–6 month``, ``20 minute``, ``6.5– percent`` (open upper end): the normalized reading."""
    lo, hi = store.format_cell(low), store.format_cell(high)
    if not lo and not hi:
        return ""
    body = lo if lo == hi else f"{lo}–{hi}"
    unit = store.format_cell(unit)
    return f"{body} {unit}" if unit else body


def highlight(sentence: str, sentence_start, start, end, quote: str) -> str:
    """The sentence, escaped, with the claim's quote wrapped in ``<mark>``."""
    try:
        a, b = int(start) - int(sentence_start), int(end) - int(sentence_start)
    except (TypeError, ValueError):
        a = b = -1
    if not (0 <= a <= b <= len(sentence) and sentence[a:b] == quote):
        a = sentence.find(quote) if quote else -1
        b = a + len(quote)
    if a < 0:
        return html.escape(sentence) + " <mark>" + html.escape(quote) + "</mark>"
    return (html.escape(sentence[:a]) + "<mark>" + html.escape(sentence[a:b]) + "</mark>"
            + html.escape(sentence[b:]))


def table_html(df: pd.DataFrame, columns: Sequence[str] | None = None, numeric: Iterable[str] = (),
               raw: Iterable[str] = ()) -> str:
    """An escaped HTML table. Columns listed in ``raw`` hold HTML this module built itself."""
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    numeric, raw = set(numeric), set(raw)
    if df.empty:
        return '<p class="muted">none</p>'
    out = ['<div class="scroll"><table><thead><tr>']
    num = ' class="num"'
    out += [f"<th{num if c in numeric else ''}>{esc(c)}</th>" for c in cols]
    out.append("</tr></thead><tbody>")
    for row in df[cols].itertuples(index=False, name=None):
        out.append("<tr>")
        for c, v in zip(cols, row):
            cls = ' class="num"' if c in numeric else ""
            out.append(f"<td{cls}>{v if c in raw else esc(v)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# --- inputs derived from the tables -----------------------------------------------------------
def _col(df: pd.DataFrame, name: str, default="") -> pd.Series:
    return df[name] if name in df.columns else pd.Series([default] * len(df), index=df.index)


def article_names(tables) -> list[str]:
    """Every article once, sorted: those in the articles table and those holding claims."""
    names = set()
    for df in (tables.articles, tables.claims):
        for col in ("article", "name"):
            if col in df.columns:
                names.update(str(x) for x in df[col] if str(x))
                break
    return sorted(names)


def precise_mask(claims: pd.DataFrame) -> pd.Series:
    """A *precise* claim states a number: not vague, and at least one bound of its interval set."""
    vague = _col(claims, "vague", False).astype(str).str.lower().isin(["true", "1"])
    has_value = (pd.to_numeric(_col(claims, "value_low", None), errors="coerce").notna()
                 | pd.to_numeric(_col(claims, "value_high", None), errors="coerce").notna())
    return ~vague & has_value


def conflicts_of(tables) -> pd.DataFrame:
    """Within-article conflicts as pairs (article, group_id, claim_id_a, claim_id_b).

    Delegates to ``consistency.within_article_conflicts`` when the consistency stage offers it;
    otherwise returns an empty frame so the report still builds.
    """
    from . import check

    return check.conflict_pairs(tables.claims, tables.groups)


def review_column(claims: pd.DataFrame, reviews: pd.DataFrame) -> pd.Series:
    """Each claim's current decision (empty when unreviewed)."""
    if reviews is None or reviews.empty or "decision" not in reviews.columns:
        return pd.Series([""] * len(claims), index=claims.index)
    latest = dict(zip(reviews["claim_id"].astype(str), reviews["decision"].astype(str)))
    return claims["claim_id"].astype(str).map(lambda c: latest.get(c, ""))


def _is_boolish(col: pd.Series) -> bool:
    vals = set(col.map(lambda v: str(v).strip().lower()))
    return bool(vals) and vals <= {"true", "false"}


def checklist_items(checklist: pd.DataFrame) -> list[str]:
    """The checklist's yes/no columns (author_named, date_stated, ...), whatever grading defines."""
    if checklist is None or checklist.empty:
        return []
    return [c for c in checklist.columns
            if c not in ("article", "doc_id", "role") and _is_boolish(checklist[c])]


def checklist_rows(checklist: pd.DataFrame, article: str) -> pd.DataFrame:
    """An article's checklist rows that matter to an editor: the main text and embedded answers,
    plus any document that carries claims (related teasers without claims are noise)."""
    if checklist is None or checklist.empty or "article" not in checklist.columns:
        return pd.DataFrame()
    rows = checklist[checklist["article"].astype(str) == article]
    keep = _col(rows, "role").astype(str).isin(["main", "answer"])
    if "n_claims" in rows.columns:
        keep |= pd.to_numeric(rows["n_claims"], errors="coerce").fillna(0) > 0
    return rows[keep] if keep.any() else rows


def checklist_counts(checklist: pd.DataFrame, article: str) -> tuple[int, int]:
    """(items met, items) of one article: an item is met when any of its relevant documents meets it."""
    items = checklist_items(checklist)
    rows = checklist_rows(checklist, article)
    if not items or rows.empty:
        return (0, 0)
    met = sum(1 for c in items if rows[c].map(lambda v: str(v).strip().lower() == "true").any())
    return (met, len(items))


def apply_reviews(claims: pd.DataFrame, reviews: pd.DataFrame | None) -> pd.DataFrame:
    """Claims as reviewers left them: a ``review`` column (current decision), the reviewer's grade
    on ``regrade`` and corrected value/unit/comparator on ``correct``; ``machine_grade`` keeps the
    machine's. Rejected claims stay in the frame; counting code leaves them out."""
    out = claims.copy()
    out["review"] = review_column(out, reviews) if len(out) else pd.Series(dtype=str)
    out["machine_grade"] = _col(out, "grade")
    if not len(out) or reviews is None or reviews.empty:
        return out
    latest = reviews.assign(claim_id=reviews["claim_id"].astype(str)).set_index("claim_id")
    for i, cid, dec in zip(out.index, out["claim_id"].astype(str), out["review"]):
        if dec not in ("regrade", "correct") or cid not in latest.index:
            continue
        r = latest.loc[cid]
        fields = ["grade"] if dec == "regrade" else ["value_low", "value_high", "unit", "comparator"]
        for f in fields:
            v = r.get(f, "")
            if f in out.columns and store.format_cell(v) != "":
                out.at[i, f] = float(v) if f.startswith("value_") else str(v)
    return out


def counted(claims: pd.DataFrame) -> pd.Series:
    """Claims that count in scorecards: all but those a reviewer rejected (not a claim worth auditing)."""
    return _col(claims, "review").astype(str) != "reject"


def scorecard(tables, reviews: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per article: the numbers an editor checks before publishing (reviewer decisions
    applied: rejected claims are not counted, regrades count with the reviewer's grade)."""
    all_claims = apply_reviews(tables.claims, reviews)
    names = article_names(tables)
    conflicts = conflicts_of(tables)
    decisions = _col(all_claims, "review").astype(str)
    claims = all_claims[counted(all_claims)]
    precise = precise_mask(claims) if len(claims) else pd.Series(dtype=bool)
    titles, arts = {}, tables.articles
    key = "article" if "article" in arts.columns else "name"
    if key in arts.columns and "title" in arts.columns:
        titles = dict(zip(arts[key].astype(str), arts["title"].astype(str)))
    rows = []
    for name in names:
        mine = claims["article"].astype(str) == name if len(claims) else pd.Series(dtype=bool)
        c = claims[mine] if len(claims) else claims
        grades = _col(c, "grade").astype(str)
        ref = _col(c, "reference_check").astype(str)
        met, items = checklist_counts(tables.checklist, name)
        n_conf = int((conflicts["article"].astype(str) == name).sum()) if len(conflicts) else 0
        everyone = all_claims["article"].astype(str) == name if len(all_claims) else pd.Series(dtype=bool)
        n_all = int(everyone.sum()) if len(all_claims) else 0
        n_reviewed = int((decisions[everyone] != "").sum()) if n_all else 0
        row = {"article": name, "title": titles.get(name, ""), "claims": len(c),
               "precise": int(precise[mine].sum()) if len(c) else 0}
        row.update({g: int((grades == g).sum()) for g in GRADES})
        row.update({
            "threshold_problems": int(ref.isin(THRESHOLD_PROBLEMS).sum()),
            "conflicts": n_conf,
            "checklist": f"{met}/{items}",
            "reviewed": f"{n_reviewed}/{n_all}",
        })
        rows.append(row)
    cols = ["article", "title", "claims", "precise", *GRADES, "threshold_problems", "conflicts",
            "checklist", "reviewed"]
    return pd.DataFrame(rows, columns=cols)


def corpus_summary(tables, reviews: pd.DataFrame | None, card: pd.DataFrame) -> list[tuple[str, str]]:
    all_claims = apply_reviews(tables.claims, reviews)
    claims = all_claims[counted(all_claims)]
    grades = _col(claims, "grade").astype(str)
    ref = _col(claims, "reference_check").astype(str)
    reviewed = int((_col(all_claims, "review").astype(str) != "").sum())
    return [
        ("articles", str(len(card))),
        ("documents", str(len(tables.documents))),
        ("claims", str(len(claims))),
        ("rejected by reviewers", str(len(all_claims) - len(claims))),
        ("precise claims", str(int(precise_mask(claims).sum())) if len(claims) else "0"),
        ("grade mix", " ".join(f"{g}:{int((grades == g).sum())}" for g in GRADES)),
        ("reference checks", " ".join(f"{k}:{int((ref == k).sum())}" for k in
                                      ("matches", *THRESHOLD_PROBLEMS, "no_reference"))),
        ("concept groups", str(len(tables.groups))),
        ("within-article conflicts", str(int(card["conflicts"].sum())) if len(card) else "0"),
        ("reviewed claims", f"{reviewed}/{len(all_claims)}"),
        ("unreadable files", str(len(getattr(tables, "failures", []) or []))),
    ]


# --- charts -----------------------------------------------------------------------------------
def sanitize_svg(svg_text: str, prefix: str) -> str:
    """Re-serialize a matplotlib SVG through an allow-list, for inlining into the page.

    Drops scripts, foreign objects, event handlers, metadata (it holds a date) and any reference
    that is not a fragment or an embedded image; renames ids to ``prefix-n`` so several inlined
    figures cannot clash (matplotlib reuses ids like ``patch_1``) and random ids become stable.
    """
    root = ET.fromstring(svg_text)
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.split("}")[-1] in _SVG_DROP:
                parent.remove(child)
    ids: dict[str, str] = {}
    for el in root.iter():
        if "id" in el.attrib:
            ids.setdefault(el.attrib["id"], f"{prefix}-{len(ids) + 1}")
    for el in root.iter():
        for key in list(el.attrib):
            name, value = key.split("}")[-1], el.attrib[key]
            if name.lower().startswith("on"):
                del el.attrib[key]
            elif name == "href":
                if not value.startswith(_SAFE_HREF):
                    del el.attrib[key]
                elif value.startswith("#"):
                    el.attrib[key] = "#" + ids.get(value[1:], value[1:])
            elif name == "id":
                el.attrib[key] = ids[value]
            elif "url(" in value.lower():
                if _EXTERNAL_URL.search(value):
                    del el.attrib[key]
                else:
                    el.attrib[key] = _ID_REF.sub(lambda m: f"url(#{ids.get(m.group(1), m.group(1))})", value)
    for key in ("width", "height"):
        root.attrib.pop(key, None)  # the viewBox keeps the aspect; CSS sizes it
    return ET.tostring(root, encoding="unicode")


def chart_figures(tables, reports_dir: Path) -> list[tuple[str, str]]:
    """(caption, inline svg) for each chart ``plots.save_figures`` writes; [] without plots."""
    try:
        from . import plots
    except ImportError:
        return []
    paths = [Path(p) for p in plots.save_figures(tables, reports_dir)]
    out = []
    for i, p in enumerate(sorted((p for p in paths if p.suffix.lower() == ".svg"), key=lambda p: p.name)):
        out.append((p.stem.replace("_", " ").replace("-", " "),
                    sanitize_svg(p.read_text(encoding="utf-8"), f"fig{i + 1}")))
    return out


# --- the page ---------------------------------------------------------------------------------
def _grade_badge(g) -> str:
    g = store.format_cell(g)
    return f'<span class="grade grade-{esc(g)}">{esc(g)}</span>' if g in GRADES else esc(g)


def _ref_cell(v) -> str:
    v = store.format_cell(v)
    return f'<span class="problem">{esc(v)}</span>' if v in THRESHOLD_PROBLEMS else esc(v)


def claims_section(claims: pd.DataFrame) -> str:
    """An article's claims table (quote links to its context) and the context list (``<mark>``).

    ``claims`` come from ``apply_reviews``: a regraded claim shows machine → reviewer grade."""
    c = claims.sort_values(["start", "claim_id"], kind="stable") if "start" in claims.columns else claims
    view = pd.DataFrame(index=c.index)
    for col in CLAIM_TABLE_COLUMNS:
        view[col] = _col(c, col).map(store.format_cell)
    view["value"] = [interval_text(lo, hi, u) for lo, hi, u in
                     zip(_col(c, "value_low", None), _col(c, "value_high", None), _col(c, "unit"))]
    view["flags"] = view["flags"].str.replace(";", "; ", regex=False)
    view["claim_id"] = [f'<span id="{esc(claim_anchor(cid))}">{esc(cid)}</span>' for cid in c["claim_id"]]
    view["quote"] = [f'<a href="#{esc(context_anchor(cid))}">{esc(q)}</a>'
                     for cid, q in zip(c["claim_id"], _col(c, "quote"))]
    view["grade"] = [_grade_badge(g) if store.format_cell(m) in ("", store.format_cell(g))
                     else f"{_grade_badge(m)}→{_grade_badge(g)}"
                     for g, m in zip(_col(c, "grade"), _col(c, "machine_grade"))]
    view["reference_check"] = [_ref_cell(v) for v in _col(c, "reference_check")]
    for col in CLAIM_TABLE_COLUMNS:
        if col not in ("claim_id", "quote", "grade", "reference_check"):
            view[col] = view[col].map(html.escape)
    parts = [table_html(view, CLAIM_TABLE_COLUMNS, raw=CLAIM_TABLE_COLUMNS)]
    parts.append("<h4>Context</h4>")
    for _, r in c.iterrows():
        cid = str(r["claim_id"])
        parts.append(
            f'<p class="context" id="{esc(context_anchor(cid))}">'
            f'<a href="#{esc(claim_anchor(cid))}">{esc(cid)}</a> '
            f'{highlight(str(r.get("sentence", "")), r.get("sentence_start"), r.get("start"), r.get("end"), str(r.get("quote", "")))}'
            "</p>")
    return "".join(parts)


def conflicts_table(conflicts: pd.DataFrame, claims: pd.DataFrame) -> str:
    if conflicts.empty:
        return '<p class="muted">no within-article conflicts</p>'
    quotes = dict(zip(claims["claim_id"].astype(str), _col(claims, "quote").astype(str)))

    def link(cid) -> str:
        cid = str(cid)
        return f'<a href="#{esc(claim_anchor(cid))}">{esc(quotes.get(cid, cid))}</a>'

    view = conflicts.copy()
    view["claim_a"] = [link(x) for x in view["claim_id_a"]]
    view["claim_b"] = [link(x) for x in view["claim_id_b"]]
    for col in ("article", "group_id", "reason"):
        view[col] = _col(view, col).map(lambda v: esc(v))
    return table_html(view, ["article", "group_id", "claim_a", "claim_b", "reason"],
                      raw=["article", "group_id", "claim_a", "claim_b", "reason"])


def all_conflicts(tables) -> pd.DataFrame:
    """Every disagreeing pair of grouped claims, across articles too (``consistency.conflicts``)."""
    claims = tables.claims
    if claims is None or claims.empty or "group_id" not in claims.columns \
            or not (claims["group_id"].astype(str) != "").any():
        return pd.DataFrame()
    try:
        from . import consistency
    except ImportError:
        return pd.DataFrame()
    return consistency.conflicts(claims, tables.groups)


def cross_conflicts_table(pairs: pd.DataFrame, claims: pd.DataFrame) -> str:
    """All conflicting pairs; each quote links to its claim row, within-article pairs marked."""
    if pairs.empty:
        return '<p class="muted">no conflicting pairs</p>'

    def side(art, cid, quote) -> str:
        return (f'<a href="#{esc(claim_anchor(str(cid)))}">{esc(quote)}</a> '
                f'<span class="muted">{esc(art)}</span>')

    view = pd.DataFrame({
        "group_id": pairs["group_id"].map(esc),
        "claim_a": [side(a, c, q) for a, c, q in zip(pairs["article_a"], pairs["claim_a"], pairs["quote_a"])],
        "claim_b": [side(a, c, q) for a, c, q in zip(pairs["article_b"], pairs["claim_b"], pairs["quote_b"])],
        "same_article": ['<span class="problem">yes</span>' if bool(x) else "no" for x in pairs["same_article"]],
    })
    return table_html(view, list(view.columns), raw=list(view.columns))


def render_html(tables, reviews: pd.DataFrame | None = None,
                figures: Sequence[tuple[str, str]] = ()) -> str:
    """The whole report page as one string. Pure: same inputs, same bytes."""
    css = config.data_path("report.css").read_text(encoding="utf-8")
    claims = apply_reviews(tables.claims, reviews)
    names = article_names(tables)
    card = scorecard(tables, reviews)
    conflicts = conflicts_of(tables)

    card_view = card.copy()
    card_view["article"] = [f'<a href="#{article_anchor(names, n)}">{esc(n)}</a>' for n in card["article"]]
    for col in card.columns:
        if col != "article":
            card_view[col] = card[col].map(esc)
    card_view["threshold_problems"] = [
        f'<span class="problem">{n}</span>' if n else "0" for n in card["threshold_problems"]]
    card_view["conflicts"] = [f'<span class="problem">{n}</span>' if n else "0" for n in card["conflicts"]]

    out = [
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        "<title>claimaudit: editorial QA report</title>\n",
        f"<style>\n{css}</style>\n</head>\n<body>\n",
        "<h1>Editorial QA report</h1>\n",
        '<nav class="toc"><a href="#summary">Summary</a><a href="#scorecards">Scorecards</a>'
        '<a href="#consistency">Consistency</a><a href="#articles">Articles</a></nav>\n',
        '<section id="summary"><h2>Corpus summary</h2><dl class="summary">',
    ]
    for k, v in corpus_summary(tables, reviews, card):
        out.append(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>")
    out.append("</dl>")
    failures = list(getattr(tables, "failures", []) or [])
    if failures:
        out.append(table_html(pd.DataFrame(sorted(failures), columns=["file", "problem"])))
    out.append("</section>\n")

    out.append('<section id="scorecards"><h2>Scorecards</h2>'
               '<p class="muted">precise = a non-vague claim with a value; threshold problems = '
               'operator_mismatch + value_deviates against the reference table; reviewed = claims '
               'with a current reviewer decision.</p>')
    out.append(table_html(card_view, list(card.columns),
                          numeric=["claims", "precise", *GRADES, "threshold_problems", "conflicts"],
                          raw=list(card.columns)))
    out.append("</section>\n")

    out.append('<section id="consistency"><h2>Consistency</h2>')
    for caption, svg in figures:
        out.append(f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>\n")
    if not figures:
        out.append('<p class="muted">charts unavailable</p>')
    out.append("<h3>Within-article conflicts</h3>")
    out.append(conflicts_table(conflicts, claims))
    out.append("<h3>All conflicting pairs</h3>")
    out.append(cross_conflicts_table(all_conflicts(tables), claims))
    if len(tables.groups):
        out.append("<h3>Concept groups</h3>")
        g = tables.groups
        cols = [c for c in GROUP_TABLE_COLUMNS if c in g.columns] or list(g.columns)
        out.append(table_html(g.sort_values(cols[:1], kind="stable"), cols,
                              numeric=[c for c in cols if c.startswith("n_")]))
    out.append("</section>\n")

    out.append('<section id="articles"><h2>Articles</h2>')
    for name in names:
        mine = claims["article"].astype(str) == name if len(claims) else None
        out.append(f'<section id="{article_anchor(names, name)}"><h3>{esc(name)}</h3>')
        row = card[card["article"] == name].iloc[0]
        if row["title"]:
            out.append(f'<p class="muted">{esc(row["title"])}</p>')
        if mine is not None and mine.any():
            out.append(claims_section(claims[mine]))
        else:
            out.append('<p class="muted">no quantitative claims</p>')
        items = checklist_rows(tables.checklist, name)
        if len(items):
            out.append("<h4>Checklist</h4>")
            out.append(table_html(items.drop(columns=["article"], errors="ignore")))
        out.append("</section>\n")
    out.append("</section>\n</body>\n</html>\n")
    return "".join(out)


# --- the workbook -----------------------------------------------------------------------------
def workbook_sheets(tables, reviews: pd.DataFrame | None) -> list[tuple[str, pd.DataFrame]]:
    """The workbook's sheets: the report's tables, in a fixed order."""
    card = scorecard(tables, reviews)
    summary = pd.DataFrame(corpus_summary(tables, reviews, card), columns=["measure", "value"])
    claims = tables.claims.copy()
    if len(claims):
        claims["review"] = review_column(claims, reviews)
    sheets = [("summary", summary), ("scorecard", card), ("claims", claims),
              ("conflicts", conflicts_of(tables)), ("conflicting_pairs", all_conflicts(tables)),
              ("groups", tables.groups),
              ("checklist", tables.checklist), ("reference", tables.reference)]
    if reviews is not None:
        sheets.append(("reviews", reviews))
    return sheets


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times, so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                body = _MODIFIED.sub(rb"\g<1>" + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", body)
            dst.writestr(zi, body)
    return buf.getvalue()


def xlsx_bytes(tables, reviews: pd.DataFrame | None = None) -> bytes:
    from openpyxl import Workbook

    from .excel import write_sheet

    wb = Workbook()
    wb.remove(wb.active)
    for title, df in workbook_sheets(tables, reviews):
        write_sheet(wb.create_sheet(title), df if df is not None else pd.DataFrame())
    wb.properties.creator = "claimaudit"
    wb.properties.lastModifiedBy = "claimaudit"
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_zip(buf.getvalue())


# --- entry point ------------------------------------------------------------------------------
def write_reports(reports_dir: str | Path, claims_dir: str | Path, tables) -> list[Path]:
    """Write ``audit.html`` and ``audit.xlsx`` into ``reports_dir`` (charts via ``plots``)."""
    from . import check

    reports_dir, claims_dir = Path(reports_dir), Path(claims_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    reviews = check.current_reviews(claims_dir)
    figures = chart_figures(tables, reports_dir)
    html_path, xlsx_path = reports_dir / HTML_NAME, reports_dir / XLSX_NAME
    store.atomic_write_text(html_path, render_html(tables, reviews, figures))
    tmp = xlsx_path.with_name(f".{XLSX_NAME}.tmp")
    tmp.write_bytes(xlsx_bytes(tables, reviews))
    tmp.replace(xlsx_path)
    for p in (html_path, xlsx_path):
        p.chmod(0o644)  # reports are for sharing (the atomic writer creates 0600 files)
    return [html_path, xlsx_path]
