"""The two records every later stage builds on.

An ``Article`` is one input file, decoded once; its ``text`` is the text of record and every offset
anywhere in claimaudit refers to it. A ``Document`` is a span of that text with one author/role
(the main article, an embedded answer, a related-article teaser, or page furniture).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("main", "answer", "related", "furniture")
CONTENT_ROLES = ("main", "answer", "related")
LANGS = ("zh-Hans", "zh-Hant", "en")


@dataclass(frozen=True)
class Document:
    """A span ``[start, end)`` of its article's text, with its own role and metadata."""

    article: str  # the article's file name
    doc_id: str  # "<article>#<n>", n counted from 0 in text order
    role: str  # one of ROLES
    lang: str  # one of LANGS
    start: int
    end: int
    title: str = ""
    author: str = ""
    credentials: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD) or "" when not stated
    site: str = ""

    def text_of(self, article_text: str) -> str:
        return article_text[self.start:self.end]


@dataclass
class Article:
    """One input file: its decoded text (the text of record) and its documents."""

    name: str  # file name, unique within a corpus
    path: str
    text: str
    encoding: str
    format: str  # "text" | "html"
    lang: str  # dominant language of the whole page
    title: str = ""
    published: str = ""
    site: str = ""
    documents: list[Document] = field(default_factory=list)
    # ``(start, end, kind)`` of the metadata lines (bylines, hospital, asker and date lines), found
    # once at ingest while segmenting, so the extractor need not classify every line again.
    # ``None``: not computed (an Article built by hand); ``ingest.meta_spans`` then computes it.
    meta: list[tuple[int, int, str]] | None = None
    # ``textnorm.simplified_view(text)``, computed once at ingest and reused by every later stage
    # (``None``: not computed). Not part of the article's identity.
    view: str | None = field(default=None, repr=False, compare=False)

    def doc_text(self, doc: Document) -> str:
        return self.text[doc.start:doc.end]
