"""The QA report: escaped, offline, linked to context, deterministic; the workbook safe and stable."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from claimaudit import report
from claimaudit.pipeline import AuditTables as Tables

ROOT = Path(__file__).resolve().parents[1]
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)><iframe src="https://evil.example/">'
ALLOWED_TAGS = {  # every element the report itself may emit (inline SVG charts included)
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "nav", "a", "section",
    "dl", "dt", "dd", "p", "table", "thead", "tbody", "tr", "th", "td", "span", "mark", "figure",
    "figcaption", "div", "svg", "g", "path", "defs", "clippath", "use", "rect", "text", "image", "line",
    "polyline", "polygon", "circle", "ellipse", "tspan", "lineargradient", "stop", "pattern",
}


def claim(cid, article, text, quote, grade="E", ref="", vague=False, low=1.0, high=1.0, group=""):
    start = text.index(quote)
    return {"claim_id": cid, "article": article, "doc_id": f"{article}#0", "role": "main",
            "lang": "zh-Hans", "start": start, "end": start + len(quote), "quote": quote,
            "sentence": text, "sentence_start": 0, "sentence_end": len(text),
            "value_low": None if vague else low, "value_high": None if vague else high,
            "unit": "mmol/L", "comparator": "gt", "vague": vague, "approx": False,
            "kind": "threshold", "evidence_cue": "none", "grade": grade, "flags": "",
            "reference_check": ref, "group_id": group}


def hand_tables() -> Tables:
    evil_name = 'evil"><script>alert(9)</script>.txt'
    s1 = f"空腹血糖>7.0mmol/L{EVIL}可确诊"
    s2 = "HbA1c =HYPERLINK(\"http://x\") > 6.5% 提示糖尿病"
    s3 = "通常24小时内缓解"
    claims = pd.DataFrame([
        claim("c000000000002", evil_name, s1, ">7.0mmol/L", grade="E", ref="operator_mismatch"),
        claim("c000000000001", "b.txt", s2, "> 6.5%", grade="C", ref="value_deviates"),
        claim("c000000000003", "b.txt", s3, "24小时", grade="E", ref="", low=0, high=24),
        claim("c000000000004", "b.txt", "数天内", "数天", grade="D", vague=True),
    ])
    articles = pd.DataFrame({"name": [evil_name, "b.txt"], "title": [EVIL, "=cmd|' /C calc'!A0"]})
    return Tables(articles=articles, documents=pd.DataFrame({"doc_id": ["a#0", "b#0"]}),
                  claims=claims, groups=pd.DataFrame(columns=["group_id"]),
                  checklist=pd.DataFrame({"article": ["b.txt", "b.txt"], "doc_id": ["b#0", "b#1"],
                                         "role": ["main", "related"], "author_named": [True, False],
                                         "date_stated": [False, True], "n_claims": [3, 0]}),
                  reference=pd.DataFrame({"key": ["hba1c"], "source": ["@SUM(A1)"]}))


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text, as a browser parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.marks: dict[str, str] = {}
        self._ctx: str | None = None
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "p" and (a.get("id") or "").startswith("ctx-"):
            self._ctx = a["id"]
        self._in_mark = tag == "mark" or self._in_mark

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False
        if tag == "p":
            self._ctx = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mark and self._ctx:
            self.marks[self._ctx] = self.marks.get(self._ctx, "") + data


def parse(page: str) -> Elements:
    p = Elements()
    p.feed(page)
    p.close()
    return p


def assert_no_injection(page: str) -> Elements:
    p = parse(page)
    tags = {t for t, _ in p.tags}
    assert tags <= ALLOWED_TAGS, f"unexpected elements: {sorted(tags - ALLOWED_TAGS)}"
    for tag, attrs in p.tags:
        handlers = [k for k in attrs if k.lower().startswith("on")]
        assert not handlers, (tag, attrs)
        for k in ("src", "href", "xlink:href", "action", "formaction", "srcset", "poster"):
            v = (attrs.get(k) or "").strip().lower()
            assert not v or v.startswith(("#", "data:image/")), (tag, k, v)
    return p


def test_article_text_cannot_inject_markup():
    page = report.render_html(hand_tables())
    p = assert_no_injection(page)
    text = "".join(p.text)
    assert '<script>alert("x")</script>' in text  # shown to the reader, as text
    assert "<img src=x onerror=alert(1)>" in text


def test_page_loads_nothing_and_forbids_scripts_by_policy():
    page = report.render_html(hand_tables())
    p = parse(page)
    csp = [a["content"] for t, a in p.tags
           if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src 'none'" in csp[0]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page.split("</head>", 1)[1].replace(
        "https://evil.example", ""))  # the only URL is the escaped one inside article text
    assert "@import" not in page and "<link" not in page


def test_every_quote_links_to_its_sentence_with_the_quote_marked():
    t = hand_tables()
    p = parse(report.render_html(t))
    hrefs = {a.get("href") for tag, a in p.tags if tag == "a"}
    ids = {a.get("id") for _, a in p.tags if a.get("id")}
    for cid, quote in zip(t.claims["claim_id"], t.claims["quote"]):
        assert f"#ctx-{cid}" in hrefs and f"ctx-{cid}" in ids and f"claim-{cid}" in ids
        assert p.marks[f"ctx-{cid}"] == quote


def test_report_is_byte_identical_for_the_same_tables_in_any_row_order():
    t = hand_tables()
    a = report.render_html(t)
    t.claims = t.claims.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert report.render_html(t) == a


def test_scorecard_counts_grades_problems_and_review_progress():
    t = hand_tables()
    reviews = pd.DataFrame({"claim_id": ["c000000000001"], "decision": ["accept"]})
    card = report.scorecard(t, reviews).set_index("article")
    b = card.loc["b.txt"]
    assert (b["claims"], b["precise"], b["C"], b["D"], b["E"]) == (3, 2, 1, 1, 1)
    assert b["threshold_problems"] == 1 and b["reviewed"] == "1/3" and b["checklist"] == "1/2"
    evil = card.loc[t.claims.loc[0, "article"]]
    assert evil["threshold_problems"] == 1 and evil["reviewed"] == "0/1" and evil["checklist"] == "0/0"


def test_reviewer_decisions_shape_the_scorecard_and_the_claim_rows():
    t = hand_tables()
    reviews = pd.DataFrame({"claim_id": ["c000000000003", "c000000000004"],
                            "decision": ["regrade", "reject"], "grade": ["B", ""]})
    b = report.scorecard(t, reviews).set_index("article").loc["b.txt"]
    assert (b["claims"], b["B"], b["C"], b["D"], b["E"]) == (2, 1, 1, 0, 0)  # rejected D dropped
    assert b["reviewed"] == "2/3"
    p = parse(report.render_html(t, reviews))
    text = "".join(p.text)
    assert "E→B" in text and "reject" in text
    summary = dict(report.corpus_summary(t, reviews, report.scorecard(t, reviews)))
    assert summary["rejected by reviewers"] == "1" and summary["reviewed claims"] == "2/4"


def _matplotlib_svg(salt: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar(["a", "b"], [1, 2])
        ax.set_title("consistency")
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    return buf.getvalue()


def test_inlined_svg_is_stripped_of_active_content_and_stable():
    raw = _matplotlib_svg("one")
    evil = raw.replace("</svg>", '<script>alert(1)</script><image href="https://evil.example/a.png"/>'
                                 '<foreignObject><div>x</div></foreignObject></svg>', 1)
    evil = evil.replace("<svg ", '<svg onload="alert(2)" ', 1)
    out = report.sanitize_svg(evil, "fig1")
    assert_no_injection(f"<figure>{out}</figure>")
    assert "<script" not in out and "foreignObject" not in out and "onload" not in out
    assert "evil.example" not in out and "<metadata" not in out
    ids = set(re.findall(r'\bid="([^"]+)"', out))
    refs = set(re.findall(r'url\(#([^)]+)\)', out)) | set(re.findall(r'href="#([^"]+)"', out))
    assert ids and all(i.startswith("fig1-") for i in ids) and refs <= ids
    assert report.sanitize_svg(_matplotlib_svg("two"), "fig1") == report.sanitize_svg(raw, "fig1")


def test_workbook_keeps_formula_like_text_as_text_and_is_byte_stable():
    from openpyxl import load_workbook

    t = hand_tables()
    data = report.xlsx_bytes(t)
    assert report.xlsx_bytes(t) == data
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["summary", "scorecard", "claims"]
    assert wb.properties.created.year == 2000 and wb.properties.modified.year == 2000
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in cells} >= {"=cmd|' /C calc'!A0", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in cells)


# --- the real main job ------------------------------------------------------------------------
def _audit(tmp: Path, extra: list[Path]) -> Path:
    from claimaudit import pipeline

    pipeline.run_audit([str(ROOT / "articles"), *map(str, extra)], tmp / "claims", tmp / "reports")
    return tmp / "reports"


def test_main_job_writes_a_safe_deterministic_report_including_a_malicious_page(tmp_path):
    fixtures = sorted((ROOT / "tests" / "fixtures" / "malicious").iterdir())
    first = _audit(tmp_path / "one", fixtures)
    second = _audit(tmp_path / "two", fixtures)
    page = (first / "audit.html").read_text(encoding="utf-8")
    p = assert_no_injection(page)
    assert "<svg" in page, "charts are inlined"
    assert (first / "audit.html").read_bytes() == (second / "audit.html").read_bytes()
    assert (first / "audit.xlsx").read_bytes() == (second / "audit.xlsx").read_bytes()
    text = "".join(p.text)
    assert "evil_page.txt" in text and "<script>" in text  # the malicious page is reported, inert
    assert any(m for m in p.marks.values()), "quotes are highlighted in context"


def test_an_empty_corpus_still_gives_a_complete_page(tmp_path):
    from claimaudit import pipeline

    page = tmp_path / "a.txt"
    page.write_text("没有数字的文章。\n\nNo numbers here at all.\n", encoding="utf-8")
    pipeline.run_audit([str(page)], tmp_path / "claims", tmp_path / "reports")
    html = (tmp_path / "reports" / "audit.html").read_text(encoding="utf-8")
    assert_no_injection(html)
    assert "a.txt" in html and "no quantitative claims" in html and html.rstrip().endswith("</html>")
