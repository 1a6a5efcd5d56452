"""Visible text and metadata of an HTML page.

For HTML the text of record is the extracted visible text (not the markup): scripts, styles and
hidden elements removed, block elements on their own lines, whitespace collapsed as a browser
would. Title, publication date and site name come from the markup (Open Graph / article meta,
``<time datetime>``, JSON-LD, ``<title>``).
"""
from __future__ import annotations

import json
import re
import warnings
from functools import lru_cache

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from .config import load_yaml

try:  # bs4 warns on markup that merely looks like a URL or file name; harmless here
    from bs4 import MarkupResemblesLocatorWarning
    warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
except ImportError:  # pragma: no cover
    pass

SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object",
                  "embed", "canvas", "select", "option", "datalist", "button", "input", "textarea",
                  "audio", "video", "map"})
PARA = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
                  "section", "article", "header", "footer", "nav", "aside", "main", "figure", "form",
                  "hr", "fieldset", "details", "summary", "address"})
LINE = frozenset({"div", "li", "tr", "dt", "dd", "figcaption", "caption", "legend", "center", "body", "html",
                  "tbody", "thead", "tfoot"})
CELL = frozenset({"td", "th"})
_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u200b]+")
_DATE_META = ("article:published_time", "og:published_time", "published_time", "pubdate", "publishdate",
              "publish_date", "publish-date", "datepublished", "date", "dc.date", "dc.date.issued",
              "dcterms.created", "dcterms.issued", "sailthru.date", "parsely-pub-date", "article:modified_time")


def _hidden(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


_OPEN, _CLOSE = "\ue010", "\ue011"  # private-use sentinels around furniture elements
_WORD_SPLIT = re.compile(r"[\s_\-]+")


@lru_cache(maxsize=None)
def _furniture_rules() -> tuple[frozenset, frozenset, frozenset]:
    cfg = load_yaml("segment", "common.yaml")["html_furniture"]
    return frozenset(cfg["tags"]), frozenset(cfg["roles"]), frozenset(w.lower() for w in cfg["class_words"])


def _is_furniture(tag: Tag, name: str) -> bool:
    """nav/footer elements and elements whose class/id names a menu, breadcrumb, share bar…"""
    tags, roles, words = _furniture_rules()
    if name in tags or (tag.get("role") or "").lower() in roles:
        return True
    cls = tag.get("class") or []
    names = " ".join([*(cls if isinstance(cls, list) else [cls]), tag.get("id") or ""]).lower()
    return any(w in words for w in _WORD_SPLIT.split(names) if w)


def visible_text(soup: BeautifulSoup) -> str:
    """Browser-like visible text; iterative walk (deeply nested pages do not hit recursion limits).
    Furniture elements are bracketed by sentinel lines (see ``split_furniture``)."""
    out: list[str] = []
    root = soup.body or soup
    stack: list[tuple[object, bool]] = [(root, False)]
    pre_depth = 0
    furn_depth = 0
    furn_nodes: set[int] = set()
    while stack:
        node, closing = stack.pop()
        if isinstance(node, Tag):
            name = node.name.lower() if node.name else ""
            if closing:
                if name == "pre":
                    pre_depth -= 1
                out.append("\n\n" if name in PARA else "\n" if name in LINE else " " if name in CELL else "")
                if id(node) in furn_nodes:
                    furn_depth -= 1
                    if furn_depth == 0:
                        out.append(f"\n{_CLOSE}\n")
                continue
            if name in SKIP or _hidden(node):
                continue
            if name == "br":
                out.append("\n")
                continue
            if name in PARA:
                out.append("\n\n")
            elif name in LINE:
                out.append("\n")
            if name == "pre":
                pre_depth += 1
            if node is not root and _is_furniture(node, name):
                if furn_depth == 0:
                    out.append(f"\n{_OPEN}\n")
                furn_depth += 1
                furn_nodes.add(id(node))
            stack.append((node, True))
            for child in reversed(node.contents):
                stack.append((child, False))
        elif isinstance(node, NavigableString):
            if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            s = str(node)
            out.append(s if pre_depth > 0 else _WS.sub(" ", s))
    return _tidy("".join(out))


def split_furniture(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove sentinel lines; return the text and the ``(start, end)`` spans they enclosed."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    last_end = 0  # end offset of the last non-blank line written
    open_at = None
    for ln in text.split("\n"):
        if ln.strip() in (_OPEN, _CLOSE) or (ln and set(ln.strip()) <= {_OPEN, _CLOSE}):
            if _OPEN in ln:
                open_at = pos
            if _CLOSE in ln and open_at is not None:
                if last_end > open_at:
                    spans.append((open_at, last_end))
                open_at = None
            continue
        ln = ln.replace(_OPEN, "").replace(_CLOSE, "")
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
        if ln:
            last_end = pos + len(ln)
        pos += len(ln) + 1
    while out and not out[-1]:
        out.pop()
    return "\n".join(out), spans


def _tidy(text: str) -> str:
    """Strip line edges, at most one blank line in a row, no leading/trailing blank lines."""
    lines = [ln.strip(" \t") for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _meta(soup: BeautifulSoup, *keys: str) -> str:
    wanted = {k.lower() for k in keys}
    for m in soup.find_all("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if key in wanted and (m.get("content") or "").strip():
            return m["content"].strip()
    return ""


def _jsonld_dates(soup: BeautifulSoup) -> str:
    for s in soup.find_all("script", type=lambda t: t and "ld+json" in t.lower()):
        raw = s.string or s.get_text() or ""
        try:
            data = json.loads(raw)
        except (ValueError, TypeError):
            m = re.search(r'"datePublished"\s*:\s*"([^"]+)"', raw)
            if m:
                return m.group(1)
            continue
        stack = [data]
        while stack:
            d = stack.pop()
            if isinstance(d, dict):
                if isinstance(d.get("datePublished"), str):
                    return d["datePublished"]
                stack.extend(d.values())
            elif isinstance(d, list):
                stack.extend(d)
    return ""


def page_meta(soup: BeautifulSoup) -> dict:
    """``title``, ``published`` (raw string; the caller normalises it) and ``site`` from markup."""
    title = _meta(soup, "og:title", "twitter:title")
    if not title and soup.title and soup.title.string:
        title = soup.title.string
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ") if h1 else ""
    published = _meta(soup, *_DATE_META[:-1]) or _jsonld_dates(soup)
    if not published:
        t = soup.find(attrs={"itemprop": "datePublished"})
        if isinstance(t, Tag):
            published = t.get("datetime") or t.get("content") or t.get_text(" ")
    if not published:
        t = soup.find("time")
        if isinstance(t, Tag):
            published = t.get("datetime") or t.get_text(" ")
    if not published:
        published = _meta(soup, _DATE_META[-1])
    site = _meta(soup, "og:site_name", "application-name", "twitter:site").lstrip("@")
    return {"title": _WS.sub(" ", title or "").strip(), "published": (published or "").strip(),
            "site": _WS.sub(" ", site).strip()}


def html_to_text(markup: str) -> tuple[str, dict]:
    """(visible text, metadata) of an HTML document; ``metadata["furniture_spans"]`` lists the
    ``(start, end)`` text spans of navigation/footer/share elements."""
    soup = BeautifulSoup(markup, "html.parser")
    meta = page_meta(soup)
    text, spans = split_furniture(visible_text(soup))
    meta["furniture_spans"] = spans
    return text, meta


_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,20})""", re.I)


def declared_charset(data: bytes) -> str:
    """Charset declared in the first 4 KB of an HTML file (``<meta charset>``), lower-case, or ""."""
    m = _CHARSET_RE.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else ""
