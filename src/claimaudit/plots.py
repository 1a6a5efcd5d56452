"""matplotlib charts for the notebooks and the report, with Chinese labels that render.

A CJK font is registered explicitly (``font_manager.fontManager.addfont``): naming it in
``font.sans-serif`` alone does not reach a font cache built before it was installed, and missing
glyphs print warnings. Saved figures are deterministic: fixed sizes, ``svg.hashsalt``, no dates.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure  # figures without pyplot: no backend switch, no global state
from matplotlib.lines import Line2D

from . import consistency

# Fonts with CJK glyphs, most likely first (Debian/Ubuntu packages, then common system paths).
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
CJK_FAMILY_HINTS = ("WenQuanYi", "Noto Sans CJK", "Source Han Sans", "PingFang", "Microsoft YaHei",
                    "SimHei", "AR PL")
GRADES = ("A", "B", "C", "D", "E")
GRADE_COLORS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#fc8d59", "E": "#d73027"}
NO_GRADE_COLOR = "#9e9e9e"
SVG_SALT = "claimaudit"
WIDTH = 9.0  # inches: every saved figure has this width


@lru_cache(maxsize=1)
def setup_fonts() -> str | None:
    """Register a CJK font and put it first in ``font.sans-serif``; its family name, or None."""
    for path in CJK_FONT_FILES:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            break
    else:
        name = next((f.name for f in font_manager.fontManager.ttflist
                     if any(h in f.name for h in CJK_FAMILY_HINTS)), None)
    if name:
        rest = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
        matplotlib.rcParams["font.sans-serif"] = [name, *rest]
        matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.hashsalt"] = SVG_SALT
    matplotlib.rcParams["svg.fonttype"] = "path"
    return name


def grade_color(grade) -> str:
    return GRADE_COLORS.get(str(grade or "").strip().upper(), NO_GRADE_COLOR)


def source_labels(claims: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.Series:
    """'site · document · language' per claim (site falls back to the article file name)."""
    site = pd.Series("", index=claims.index, dtype=object)
    if documents is not None and not documents.empty and "site" in documents.columns:
        sites = dict(zip(documents["doc_id"].astype(str), documents["site"].fillna("").astype(str)))
        site = claims["doc_id"].astype(str).map(sites).fillna("")
    art = claims["article"].astype(str).str.replace(r"\.(txt|html?)$", "", regex=True)
    site = site.where(site != "", art)
    doc = claims["doc_id"].astype(str).str.rpartition("#")[2]
    return site + " · #" + doc + " · " + claims["lang"].astype(str)


def _group_title(groups: pd.DataFrame, gid: str) -> str:
    row = groups[groups["group_id"] == gid]
    if row.empty:
        return gid
    r = row.iloc[0]
    return (f"{r.get('subject_label_zh', r['subject'])} / {r.get('measure_label_zh', r['measure'])} "
            f"({r['subject_label']} / {r['measure_label']}) — {r['verdict']}")


def _finite_span(lows: Sequence[float], highs: Sequence[float]) -> tuple[float, float]:
    vals = [v for v in (*lows, *highs) if v is not None and math.isfinite(v)]
    if not vals:
        return 0.0, 1.0
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.12 or max(abs(hi) * 0.12, 1.0)
    return lo - pad, hi + pad


def forest_rows(claims: pd.DataFrame, gid: str, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of one group's chart: label, low, high, open ends, grade, quote (comparable claims)."""
    g = claims[claims["group_id"].astype(str) == gid]
    iv = consistency.intervals(g)
    ok = iv["low"].notna() & iv["high"].notna()
    g, iv = g[ok], iv[ok]
    reading = iv["reading"].astype(str)
    out = pd.DataFrame({
        "claim_id": g["claim_id"].astype(str), "label": source_labels(g, documents),
        "low": iv["low"].astype(float), "high": iv["high"].astype(float),
        "open_low": reading.str.startswith(("lt", "le", "alarm")),
        "open_high": reading.str.startswith(("gt", "ge")),
        "grade": g["grade"].astype(str) if "grade" in g.columns else "",
        "quote": g["quote"].astype(str) + np.where(reading == "alarm", " (警示阈值 alarm)", ""),
        "unit": iv["base_unit"].astype(str)})
    return out.sort_values(["label", "low", "high", "claim_id"], kind="stable").reset_index(drop=True)


def draw_forest(ax, rows: pd.DataFrame, consensus: tuple[float, float] | None = None,
                title: str = "") -> None:
    """One group's interval chart on ``ax``: a row per source; open bounds end in arrows."""
    x0, x1 = _finite_span(rows["low"], rows["high"])
    if consensus is not None:
        c_lo, c_hi = consensus
        if not (math.isnan(c_lo) or math.isnan(c_hi)):
            ax.axvspan(max(c_lo, x0), min(c_hi, x1), color="#cfe2f3", alpha=0.6, lw=0,
                       label="consensus")
    n = len(rows)
    for i, r in enumerate(rows.itertuples(index=False)):
        y = n - 1 - i
        lo = r.low if math.isfinite(r.low) else x0
        hi = r.high if math.isfinite(r.high) else x1
        color = grade_color(r.grade)
        ax.plot([lo, hi], [y, y], color="#444444", lw=1.6, solid_capstyle="butt")
        if r.open_low or not math.isfinite(r.low):
            ax.annotate("", xy=(x0 if not math.isfinite(r.low) else lo, y), xytext=(hi, y),
                        arrowprops=dict(arrowstyle="-|>", color="#444444", lw=1.6))
        if r.open_high or not math.isfinite(r.high):
            ax.annotate("", xy=(x1, y), xytext=(lo, y), arrowprops=dict(arrowstyle="-|>", color="#444444", lw=1.6))
        mark = hi if r.open_low else (lo if r.open_high else (lo + hi) / 2)
        ax.plot([mark], [y], "o", ms=8, mec="#222222", mfc=color, zorder=3)
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{lab}  {q}" for lab, q in zip(rows["label"], rows["quote"])][::-1], fontsize=8)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(x0, x1)
    unit = rows["unit"].iloc[0] if n else ""
    ax.set_xlabel(unit)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="x", color="#dddddd", lw=0.6)


MAX_PANELS = 12  # groups drawn by default (disagreeing and larger groups first)
MAX_HEATMAP_GROUPS = 30


def chart_groups(groups: pd.DataFrame, limit: int = MAX_PANELS, min_compared: int = 2) -> list[str]:
    """Groups worth a chart: disagreeing first, then by sources and claims; at most ``limit``."""
    if groups is None or groups.empty:
        return []
    g = groups[groups["n_compared"] >= min_compared].copy()
    g["_rank"] = g["verdict"].map({"conflicting": 0, "partly_consistent": 1, "consistent": 2}).fillna(3)
    g = g.sort_values(["_rank", "n_articles", "n_compared", "group_id"], ascending=[True, False, False, True])
    return g["group_id"].head(limit).tolist()


def forest_chart(claims: pd.DataFrame, groups: pd.DataFrame, group_ids: Sequence[str] | None = None,
                 documents: pd.DataFrame | None = None) -> Figure:
    """'Forest-style' interval charts, one panel per group, one row per source (site · document ·
    language), marker colour = evidence grade, consensus shaded. Default groups: ``chart_groups``."""
    setup_fonts()
    if group_ids is None:
        group_ids = chart_groups(groups)
    panels = [(gid, forest_rows(claims, gid, documents)) for gid in group_ids]
    panels = [(gid, r) for gid, r in panels if len(r)]
    heights = [max(len(r), 1) * 0.38 + 0.9 for _, r in panels] or [1.0]
    fig = Figure(figsize=(WIDTH, round(sum(heights) + 0.6, 2)), layout="constrained")
    if not panels:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "no group with two comparable claims", ha="center", va="center")
        ax.set_axis_off()
        return fig
    axes = fig.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)[:, 0]
    for ax, (gid, rows) in zip(axes, panels):
        _, c_lo, c_hi = consistency.max_clique(list(zip(rows["low"], rows["high"])))
        draw_forest(ax, rows, (c_lo, c_hi), _group_title(groups, gid))
    handles = [Line2D([], [], ls="", marker="o", mfc=GRADE_COLORS[k], mec="#222222", label=f"grade {k}")
               for k in GRADES]
    fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=8, frameon=False)
    return fig


def agreement_matrix(claims: pd.DataFrame, groups: pd.DataFrame,
                     documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sources × groups: share of a source's claims in a group that agree with the group's
    consensus (1 = all inside, 0 = none; empty where the source says nothing)."""
    g = claims[claims["group_id"].astype(str) != ""]
    cols = groups.loc[groups["n_compared"] >= 1, "group_id"].tolist() if not groups.empty else []
    g = g[g["group_id"].isin(cols)]
    if g.empty:
        return pd.DataFrame()
    member = consistency.consensus_membership(g)
    agree = [np.nan if pd.isna(v) else float(bool(v)) for v in member]
    src = g["article"].astype(str).str.replace(r"\.(txt|html?)$", "", regex=True)
    if documents is not None and not documents.empty and "site" in documents.columns:
        sites = dict(zip(documents["doc_id"].astype(str), documents["site"].fillna("").astype(str)))
        s = g["doc_id"].astype(str).map(sites).fillna("")
        src = (s.where(s == "", s + " · ") + src)
    df = pd.DataFrame({"source": src.values, "group_id": g["group_id"].values, "agree": agree})
    return df.pivot_table(index="source", columns="group_id", values="agree", aggfunc="mean").sort_index()


def agreement_heatmap(claims: pd.DataFrame, groups: pd.DataFrame,
                      documents: pd.DataFrame | None = None) -> Figure:
    """Heatmap of :func:`agreement_matrix`: green agrees with the consensus, red departs from it."""
    setup_fonts()
    m = agreement_matrix(claims, groups, documents)
    if m.shape[1] > MAX_HEATMAP_GROUPS:
        keep = chart_groups(groups, MAX_HEATMAP_GROUPS, min_compared=1)
        m = m[[c for c in m.columns if c in keep]].dropna(how="all")
    fig = Figure(figsize=(WIDTH, round(2.2 + 0.35 * max(len(m), 1), 2)), layout="constrained")
    ax = fig.add_subplot()
    if m.empty or m.shape[1] == 0:
        ax.text(0.5, 0.5, "no group with a comparable claim", ha="center", va="center")
        ax.set_axis_off()
        return fig
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#eeeeee")
    im = ax.imshow(np.ma.masked_invalid(m.to_numpy(float)), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    labels = groups.set_index("group_id")
    ax.set_xticks(range(m.shape[1]))
    ax.set_xticklabels([f"{labels.at[c, 'subject_label_zh']}/{labels.at[c, 'measure_label_zh']}"
                        for c in m.columns], rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(m.shape[0]))
    ax.set_yticklabels(list(m.index), fontsize=8)
    for (i, j), v in np.ndenumerate(m.to_numpy(float)):
        if not math.isnan(v):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, label="与共识一致 agrees")
    ax.set_title("来源 × 分组的一致性 (sources × groups)", fontsize=9, loc="left")
    return fig


def grade_chart(claims: pd.DataFrame) -> Figure:
    """Claims per evidence grade and role (stacked bars)."""
    setup_fonts()
    fig = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    ax = fig.add_subplot()
    if claims.empty or "grade" not in claims.columns:
        ax.text(0.5, 0.5, "no graded claims", ha="center", va="center")
        ax.set_axis_off()
        return fig
    t = pd.crosstab(claims["grade"].astype(str), claims["role"].astype(str)).reindex(list(GRADES), fill_value=0)
    bottom = np.zeros(len(t))
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
    for k, role in enumerate(t.columns):
        ax.bar(t.index, t[role].to_numpy(), bottom=bottom, label=role, color=palette[k % len(palette)])
        bottom += t[role].to_numpy()
    ax.set_xlabel("证据等级 evidence grade")
    ax.set_ylabel("声明数 claims")
    ax.legend(title="role", fontsize=8)
    return fig


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """``stem``.png and ``stem``.svg, byte-stable (no dates, fixed hash salt, fixed dpi)."""
    setup_fonts()
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT}):
        png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
        fig.savefig(png, dpi=100, metadata={"Software": None})
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
        out += [png, svg]
    return out


def _tables_get(tables, name: str) -> pd.DataFrame | None:
    if isinstance(tables, dict):
        return tables.get(name)
    return getattr(tables, name, None)


def save_figures(tables, reports_dir: str | Path) -> list[Path]:
    """The report's charts as PNG and SVG in ``reports_dir/figures``: grades, consistency intervals
    (groups with two or more comparable claims), the agreement heatmap. Returns the paths."""
    setup_fonts()
    claims = _tables_get(tables, "claims")
    groups = _tables_get(tables, "groups")
    documents = _tables_get(tables, "documents")
    claims = claims if claims is not None else pd.DataFrame()
    if groups is None or "consensus_low" not in getattr(groups, "columns", []):
        groups = pd.DataFrame(columns=consistency.GROUP_TABLE_COLUMNS)
    if "group_id" not in claims.columns:
        claims = claims.assign(group_id="")
    folder = Path(reports_dir) / "figures"
    paths: list[Path] = []
    figs = [("grades", grade_chart(claims)),
            ("consistency-intervals", forest_chart(claims, groups, documents=documents)),
            ("agreement-heatmap", agreement_heatmap(claims, groups, documents))]
    for name, fig in figs:
        paths += save_figure(fig, folder / name)
    return paths
