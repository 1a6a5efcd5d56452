"""ingest: decoding to the text of record, and one-line reasons for every bad file."""
import codecs
from pathlib import Path

import opencc
import pytest

from claimaudit import ingest
from claimaudit.ingest import IngestError, decode_bytes, read_article

SEEDS = sorted((Path(__file__).resolve().parents[1] / "articles").glob("*.txt"))
ZH_SEEDS = [p for p in SEEDS if not p.name.startswith("002_")]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_gb18030_reencoding_ingests_to_the_same_text(tmp_path, seed):
    original = read_article(seed)
    art = read_article(_write(tmp_path, seed.name, original.text.encode("gb18030")))
    assert art.text == original.text
    assert art.encoding in ("gb18030", "utf-8")  # pure-ASCII-ish pages are also valid UTF-8
    assert [(d.role, d.start, d.end) for d in art.documents] == [(d.role, d.start, d.end) for d in original.documents]


@pytest.mark.parametrize("seed", ZH_SEEDS, ids=lambda p: p.name[:3])
def test_big5_reencoding_of_traditional_page_round_trips(tmp_path, seed):
    trad = opencc.OpenCC("s2t").convert(read_article(seed).text)
    data = trad.encode("big5", errors="ignore")
    expected = data.decode("big5")
    art = read_article(_write(tmp_path, seed.name, data))
    assert art.text == expected
    assert art.encoding in ("big5", "cp950", "big5hkscs")
    assert art.lang == "zh-Hant"


def test_utf8_bom_is_stripped_and_crlf_normalised(tmp_path):
    p = _write(tmp_path, "a.txt", codecs.BOM_UTF8 + "标题\r\n\r\n正文第一行。\r第二行。".encode())
    art = read_article(p)
    assert art.text == "标题\n\n正文第一行。\n第二行。"
    assert art.encoding == "utf-8-sig"


def test_utf16_with_bom(tmp_path):
    art = read_article(_write(tmp_path, "a.txt", "肌肉痉挛怎么缓解?\n一般持续几分钟。".encode("utf-16")))
    assert art.text == "肌肉痉挛怎么缓解?\n一般持续几分钟。"


def test_gbk_short_text_is_not_read_as_latin1_or_big5():
    text = "血清钾<3.5mmol/L提示低钾血症,需及时就医。"
    decoded, enc = decode_bytes(text.encode("gbk"))
    assert decoded == text and enc == "gb18030"


def test_big5_short_text_is_not_read_as_gbk():
    text = "血清鉀<3.5mmol/L提示低鉀血症，需及時就醫。"
    decoded, enc = decode_bytes(text.encode("big5"))
    assert decoded == text and enc in ("big5", "cp950", "big5hkscs")


def test_truncated_multibyte_character_at_end_is_dropped():
    data = "针灸后腿软无力".encode("utf-8")[:-1]
    decoded, _ = decode_bytes(data)
    assert decoded == "针灸后腿软无"


def test_english_cp1252_with_curly_quotes():
    data = "The doctor said \u201cwait a week\u201d before the next session.".encode("cp1252") * 20
    decoded, enc = decode_bytes(data)
    assert "\u201cwait a week\u201d" in decoded and enc == "cp1252"


def test_declared_html_charset_is_honoured(tmp_path):
    html = '<html><head><meta charset="big5"><title>測試</title></head><body><p>針灸治療三次。</p></body></html>'
    art = read_article(_write(tmp_path, "a.html", html.encode("big5")))
    assert "針灸治療三次。" in art.text and art.format == "html"


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n \t\n", "empty file"),
    ("bom_only.txt", codecs.BOM_UTF8, "empty file"),
    ("nul.txt", b"abc\x00\x00def", "binary file (contains NUL bytes)"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary file (PNG image)"),
    ("photo.html", b"\xff\xd8\xff\xe0" + bytes(200), "binary file (JPEG image)"),
    ("garbage.txt", bytes([0xFF, 0x80, 0xFE, 0x81, 0xC0]) * 200, "undecodable bytes"),
    ("empty.html", b"<html><body><script>var x=1;</script></body></html>", "no visible text"),
])
def test_bad_files_raise_one_line_reasons(tmp_path, name, data, reason):
    with pytest.raises(IngestError) as e:
        read_article(_write(tmp_path, name, data))
    assert e.value.reason.startswith(reason)
    assert "\n" not in str(e.value)
    assert e.value.path.endswith(name)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(IngestError, match="folder"):
        read_article(tmp_path)


def test_too_large_is_refused_by_limit(tmp_path):
    p = _write(tmp_path, "big.txt", ("针灸后腿软无力多属正常反应。\n" * 40_000).encode())
    with pytest.raises(IngestError, match="too large"):
        read_article(p, max_bytes=1024 * 1024)
    assert read_article(p).text.startswith("针灸后")  # default limit (50 MB) accepts it


def test_default_limit_comes_from_data_file():
    assert ingest.default_max_bytes() == 50 * 1024 * 1024


def test_ingest_paths_mixes_good_and_bad_and_never_raises(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "good.txt").write_text("标题\n\n针灸后腿软无力多在1-3天内缓解。", encoding="utf-8")
    (folder / "empty.md").write_bytes(b"")
    (folder / "skip.csv").write_text("not,an,article")
    (folder / "sub").mkdir()
    (folder / "sub" / "page.html").write_text("<p>Numbness usually resolves within 24 hours.</p>")
    arts, failures = ingest.ingest_paths([folder, tmp_path / "missing.txt"])
    assert [a.name for a in arts] == ["good.txt", "page.html"]
    assert sorted(r for _, r in failures) == ["empty file", "no such file"]


def test_iter_paths_sorted_and_filtered(tmp_path):
    for n in ["b.txt", "a.md", "c.htm", "d.HTML", "e.pdf", ".hidden.txt"]:
        (tmp_path / n).write_text("x")
    assert [p.name for p in ingest.iter_paths([tmp_path])] == ["a.md", "b.txt", "c.htm", "d.HTML"]
