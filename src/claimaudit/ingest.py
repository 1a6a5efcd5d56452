"""Read article files into ``Article`` records: decode, extract HTML text, segment into documents.

The decoded text is the text of record; every offset in claimaudit refers to it. Decoding is
strict and CJK-aware: UTF-8 (BOM stripped) first, then GB18030 / Big5 chosen by plausibility
(share of common CJK characters), never a Latin-1 reading of CJK bytes. Line ends are normalised
to ``\\n`` (CRLF and lone CR); nothing else in the text changes.

User errors (missing, empty, binary, undecodable or too large files) raise ``IngestError`` with a
one-line reason; ``ingest_paths`` collects them instead of raising.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .batching import batch_gc
from .config import load_yaml
from .htmltext import declared_charset, html_to_text
from .model import Article, Document
from .segment import find_date, segment
from .textnorm import ScriptProfile, simplified_view

SUFFIXES = {".txt": "text", ".md": "text", ".markdown": "text", ".html": "html", ".htm": "html"}
DOC_COLUMNS = ["article", "doc_id", "role", "lang", "start", "end", "title", "author", "credentials",
               "published", "site", "chars"]
ARTICLE_COLUMNS = ["article", "encoding", "format", "lang", "title", "published", "site", "chars", "sha256"]


class IngestError(Exception):
    """A file that cannot be ingested, with a one-line reason for the user."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def _settings() -> dict:
    return load_yaml("segment", "common.yaml")


def default_max_bytes() -> int:
    return int(float(_settings()["limits"]["max_file_mb"]) * 1024 * 1024)


# --------------------------------------------------------------------------------------------
# decoding
@lru_cache(maxsize=None)
def _common_cjk() -> frozenset[str]:
    """Frequent characters: GB2312 level 1 (3755 simplified) and Big5 level 1 (5401 traditional)."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes([hi, lo]).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common CJK characters or CJK/full-width punctuation.

    Real Chinese text scores near 1; Big5 bytes read as GBK (or the reverse) give kana, Greek,
    box drawing and rare ideographs, and score far lower. Ties keep the candidate order
    (GB18030 first).
    """
    common = _common_cjk()
    good = total = 0
    for ch in text:
        if ch < "\x80":
            continue
        total += 1
        if (ch in common or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·°±×÷"
                or "\u00c0" <= ch <= "\u024f"):  # Latin letters with diacritics (pinyin ü, é)
            good += 1
    return good / total if total else 1.0


def _sample(data: bytes, limit: int = 200_000) -> bytes:
    return data if len(data) <= limit else data[:limit]


def _strict(data: bytes, codec: str) -> str | None:
    """Strict decode; a multibyte character cut off at the very end (truncated file) is dropped."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and e.end == len(data):
            try:
                return data[:e.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None


def decode_bytes(data: bytes, declared: str = "") -> tuple[str, str]:
    """(text, encoding name) or raise ``ValueError`` with a reason."""
    cfg = _settings()["decoding"]
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
        if text is None:
            raise ValueError("undecodable bytes (UTF-8 BOM but invalid UTF-8)")
        return text, "utf-8-sig"
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise ValueError(f"undecodable bytes ({codec} BOM but invalid {codec})") from None
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    declared = cfg["aliases"].get(declared, declared)
    candidates = list(dict.fromkeys(([declared] if declared in set(cfg["cjk_candidates"]) else [])
                                    + list(cfg["cjk_candidates"])))
    best: tuple[float, int, str, str] | None = None
    for rank, codec in enumerate(candidates):
        decoded = _strict(data, codec)
        if decoded is None:
            continue
        score = plausibility(decoded[:100_000])
        if best is None or score > best[0] + 1e-9:
            best = (score, rank, codec, decoded)
    if best is not None and best[0] >= cfg["min_cjk_plausibility"]:
        return best[3], best[2]
    bad = _utf8_bad_share(data)
    if bad <= cfg["utf8_max_bad_share"]:
        return data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"
    high = sum(b >= 0x80 for b in _sample(data)) / max(1, len(_sample(data)))
    if high <= cfg["single_byte_max_high_share"]:
        guess = _charset_normalizer_guess(data)
        if guess in cfg["single_byte_codecs"] or declared in cfg["single_byte_codecs"]:
            # the first listed codec (cp1252, the web's Latin default) wins when it decodes
            for codec in dict.fromkeys([cfg["single_byte_codecs"][0], guess, declared]):
                text = _strict(data, codec) if codec in cfg["single_byte_codecs"] else None
                if text is not None and not any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f"
                                                 for c in text[:100_000]):
                    return text, codec
    raise ValueError("undecodable bytes (not UTF-8, GB18030 or Big5 text)")


def _utf8_bad_share(data: bytes) -> float:
    text = data.decode("utf-8", errors="replace")
    return text.count("\ufffd") / max(1, len(text))


def _charset_normalizer_guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(_sample(data)).best()
    return (best.encoding or "").lower() if best is not None else ""


def _binary_kind(data: bytes) -> str | None:
    cfg = _settings()
    for magic, name in cfg["magic"].items():
        if name and data.startswith(magic.encode("latin-1")):
            return f"binary file ({name})"
    head = data[: cfg["limits"]["binary_sniff_bytes"]]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary file (contains NUL bytes)"
    return None


# --------------------------------------------------------------------------------------------
# articles
def _format_of(path: Path, text_head: str) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt:
        return fmt
    head = text_head.lstrip()[:200].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "text"


def read_article(path, max_bytes: int | None = None) -> Article:
    """Read, decode and segment one file. Raises ``IngestError`` for user errors."""
    p = Path(path)
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    if not p.exists():
        raise IngestError(path, "no such file")
    if p.is_dir():
        raise IngestError(path, "is a folder, not a file")
    try:
        size = p.stat().st_size
        if size > limit:
            raise IngestError(path, f"too large ({size / 1048576:.1f} MB; limit {limit / 1048576:g} MB)")
        data = p.read_bytes()
    except PermissionError:
        raise IngestError(path, "permission denied") from None
    except IsADirectoryError:
        raise IngestError(path, "is a folder, not a file") from None
    except OSError as e:
        raise IngestError(path, f"cannot read ({e.strerror or e})") from None
    if len(data) > limit:
        raise IngestError(path, f"too large (limit {limit / 1048576:g} MB)")
    kind = _binary_kind(data)
    if kind:
        raise IngestError(path, kind)
    is_html = SUFFIXES.get(p.suffix.lower()) == "html"
    try:
        raw, encoding = decode_bytes(data, declared_charset(data) if is_html or p.suffix == "" else "")
    except ValueError as e:
        raise IngestError(path, str(e)) from None
    fmt = _format_of(p, raw[:400])
    meta: dict = {}
    if fmt == "html":
        text, meta = html_to_text(raw)
    else:
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(path, "empty file" if not raw.strip() else "no visible text")
    return build_article(text, p.name, str(p), encoding, fmt, meta)


def build_article(text: str, name: str, path: str = "", encoding: str = "utf-8", fmt: str = "text",
                  meta: dict | None = None) -> Article:
    """Segment an already decoded text into an ``Article`` (used by tests and other front ends)."""
    meta = dict(meta or {})
    full_title = meta.get("title", "")
    suffix = ""
    if full_title:
        if meta.get("site"):
            meta["title"] = strip_site_suffix(meta["title"], meta["site"])
        head, suffix = split_title_site(meta["title"])
        if suffix and looks_like_site(suffix):
            meta["title"], meta["site"] = head, meta.get("site") or suffix
            suffix = ""
    view = simplified_view(text)
    profile = ScriptProfile(text)
    lang = profile.lang(0, len(text))
    published = find_date(meta.get("published", "")) if meta.get("published") else ""
    docs, found = segment(text, name, view=view, default_lang=lang, page_title=meta.get("title", ""),
                          page_published=published, page_site=meta.get("site", ""), profile=profile,
                          furniture_spans=meta.get("furniture_spans"))
    if suffix and found["site"] and _same_brand(suffix, found["site"]):
        # the title's suffix is the footer's brand: cut it from every title that carries it
        head, cut = split_title_site(meta["title"])
        docs = [replace(d, title=head) if d.title == meta["title"] else d for d in docs]
        found = {**found, "title": head if found["title"] == meta["title"] else found["title"]}
    return Article(name=name, path=path, text=text, encoding=encoding, format=fmt, lang=lang,
                   title=found["title"], published=found["published"], site=found["site"], documents=docs,
                   meta=found["meta"], view=view)


@lru_cache(maxsize=None)
def _title_site_cfg() -> tuple[tuple[str, ...], int, tuple[str, ...], "re.Pattern"]:
    cfg = _settings()["title_site"]
    return (tuple(cfg["separators"]), int(cfg["max_chars"]), tuple(w.lower() for w in cfg["site_ends"]),
            re.compile(cfg["domain"]))


def split_title_site(title: str) -> tuple[str, str]:
    """("高血压怎么办", "某某健康网") for "高血压怎么办_某某健康网": the text after the title's last
    separator; ("title", "") when there is none or nothing would be left of the title."""
    seps = _title_site_cfg()[0]
    best, at = -1, None
    for sep in seps:
        i = title.rfind(sep)
        if i > best:
            best, at = i, sep
    if at is None or best <= 0:
        return title, ""
    head, tail = title[:best].rstrip(" -_|｜—–:").strip(), title[best + len(at):].strip()
    return (head, tail) if head and tail else (title, "")


def looks_like_site(name: str) -> bool:
    """A site name rather than part of a title: short, no sentence punctuation, and ending with a
    site word (网, 健康, 医院, Health, Clinic…) or shaped like a domain."""
    _, max_chars, ends, domain = _title_site_cfg()
    name = name.strip()
    if not name or len(name) > max_chars or any(ch in name for ch in "，。？！?!,;；:："):
        return False
    if domain.match(name):
        return True
    if name[0].isdigit() or "a" <= name[0] <= "z":  # "Omega-3 and heart health": a word, not a brand
        return False
    low = simplified_view(name).lower()
    return any(low.endswith(simplified_view(e)) and len(low) > len(e) for e in ends)


def _same_brand(suffix: str, site: str) -> bool:
    a, b = suffix.strip().lower(), site.strip().lower()
    return a == b or b.startswith(a + " ") or a.startswith(b + " ")


def meta_spans(article: Article) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of the metadata lines (bylines, hospital lines, asker lines, dates)
    of an article; those inside content documents are authorship, not claims. Read from
    ``article.meta`` (found at ingest) when present, else computed from the text."""
    if article.meta is not None:
        return list(article.meta)
    from .segment import meta_line_spans

    return meta_line_spans(article.text)


def strip_site_suffix(title: str, site: str) -> str:
    """"高血压怎么办_某某健康网" → "高血压怎么办" when the suffix is the site's own name."""
    for sep in (" - ", " | ", "_", "-", "|", "｜", " – ", " — ", "—"):
        suffix = sep + site
        if title.endswith(suffix) and len(title) > len(suffix):
            return title[: -len(suffix)].strip()
    return title


def iter_paths(paths: Iterable) -> list[Path]:
    """Files named, plus the article files (.txt .md .html .htm) inside named folders (recursive,
    sorted). Missing paths are kept so that reading them reports the error."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted((f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts)),
                          key=lambda f: f.as_posix())
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def ingest_paths(paths, progress: bool = False, max_bytes: int | None = None
                 ) -> tuple[list[Article], list[tuple[str, str]]]:
    """Articles of every readable file and ``(path, reason)`` for each file that failed.

    Never raises for a bad file. Duplicate file names get a ``~n`` suffix so names stay unique.
    """
    with batch_gc():
        return _ingest_files(iter_paths(paths), progress, max_bytes)


def _ingest_files(files: list[Path], progress: bool, max_bytes: int | None
                  ) -> tuple[list[Article], list[tuple[str, str]]]:
    articles: list[Article] = []
    failures: list[tuple[str, str]] = []
    it = files
    if progress:
        from tqdm import tqdm
        it = tqdm(files, desc="ingest", unit="file")
    for f in it:
        try:
            articles.append(read_article(f, max_bytes=max_bytes))
        except IngestError as e:
            failures.append((e.path, e.reason))
    names = unique_names([a.name for a in articles])
    return [a if a.name == n else _renamed(a, n) for a, n in zip(articles, names)], failures


def unique_names(names: Sequence[str]) -> list[str]:
    """Article names for file names in reading order: a repeated one gets ``~1``, ``~2``..."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(f"{name}~{n}" if n else name)
    return out


def _renamed(art: Article, name: str) -> Article:
    docs = [Document(**{**d.__dict__, "article": name, "doc_id": f"{name}#{d.doc_id.rsplit('#', 1)[1]}"})
            for d in art.documents]
    return Article(name=name, path=art.path, text=art.text, encoding=art.encoding, format=art.format,
                   lang=art.lang, title=art.title, published=art.published, site=art.site, documents=docs,
                   meta=art.meta)


# --------------------------------------------------------------------------------------------
# tables
def documents_frame(articles: Iterable[Article]) -> pd.DataFrame:
    """One row per document, ordered by article name then start offset."""
    rows = [(d.article, d.doc_id, d.role, d.lang, d.start, d.end, d.title, d.author, d.credentials,
             d.published, d.site, d.end - d.start)  # in DOC_COLUMNS order (tuples: 166 k rows at 10 k pages)
            for art in sorted(articles, key=lambda a: a.name)
            for d in sorted(art.documents, key=lambda d: d.start)]
    return pd.DataFrame.from_records(rows, columns=DOC_COLUMNS).astype(
        {"start": "int64", "end": "int64", "chars": "int64"})


def articles_frame(articles: Iterable[Article]) -> pd.DataFrame:
    """One row per article (file name only, no folder), ordered by name."""
    rows = [{"article": a.name, "encoding": a.encoding, "format": a.format, "lang": a.lang, "title": a.title,
             "published": a.published, "site": a.site, "chars": len(a.text),
             "sha256": hashlib.sha256(a.text.encode("utf-8", errors="surrogatepass")).hexdigest()}
            for a in sorted(articles, key=lambda a: a.name)]
    return pd.DataFrame(rows, columns=ARTICLE_COLUMNS).astype({"chars": "int64"})
