"""Guards for the segmentation cue files (data/segment/*.yaml) and linear-time behaviour."""
import codecs
import re
import time

import pytest

from claimaudit.config import load_yaml
from claimaudit.ingest import build_article
from claimaudit.segment import classify, cues
from line_growth import assert_linear


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cue_files_compile_and_never_match_empty(lang):
    data = load_yaml("segment", f"{lang}.yaml")
    flags = re.I if lang == "en" else 0
    pats = [p for ps in data["headers"].values() for p in ps]
    pats += data["furniture"]["full"] + [p for g in data["furniture"]["search"] for p in g["patterns"]]
    pats += data["furniture"].get("site", []) + [data["excerpt_end"], data["date_labels"]]
    pats += data["furniture"]["promo"]["patterns"]  # spam / promo cues (both languages have some)
    assert data["slashed_date_order"] in {"month_first", "unambiguous"}
    for p in pats:
        rx = re.compile(p, flags)
        assert not rx.fullmatch(""), p
    assert set(data["headers"]) <= {"related", "qa", "essay", "furniture_list"}


def test_common_settings():
    common = load_yaml("segment", "common.yaml")
    assert common["limits"]["max_file_mb"] > 20  # a 20 MB page must be accepted by default
    dec = common["decoding"]
    for codec in dec["cjk_candidates"] + list(dec["aliases"].values()) + dec["single_byte_codecs"]:
        codecs.lookup(codec)  # every codec name exists
    assert dec["single_byte_codecs"][0] == "cp1252"
    crumb = common["head_crumb"]
    assert 1 <= crumb["max_line"] <= 5 and crumb["min_parts"] >= 2  # head only; never eats a lone "A | B"
    cues()  # everything compiles together


@pytest.mark.parametrize("line, kind", [
    ("杜俊秋 副主任医师", "byline"), ("杜俊秋 副主任醫師", "byline"), ("杨凯 主任医师 青岛大学附属医院 三甲", "byline"),
    ("淮安市第二人民医院 三甲", "hospital"), ("淮安市第二人民醫院 三甲", "hospital"),
    ("Dr. Lai Jianhong reply Traditional Chinese Medicine", "reply"), ("Answered by Dr. Jane Roe (Cardiology)", "reply"),
    ("发布于 2025-06-26", "date"), ("2025-07-27 06:53", "date"), ("Reply Date: 2017/03/26", "date"),
    ("Published: March 3, 2021", "date"), ("发布时间：2025年6月2日", "date"),
    ("相关推荐", "header"), ("相關推薦", "header"), ("延展阅读", "header"), ("Similar Q&A", "header"),
    ("## Related articles", "header"), ("More Info", "header"),
    ("9039次浏览", "furniture"), ("手机查看", "furniture"), ("用手机扫描二维码 在手机上继续观看", "furniture"),
    ("免責聲明：本站內容僅供參考", "furniture"), ("您的位置: 复禾首页 > 中医 > 正文", "furniture"),
    ("Share to:", "furniture"), ("[Read More] Managing nerve pain", "furniture"),
    ("Hsl, 20~29 year old female. Ask Date: 2017/03/26", "asker"),
    ("这种反应多与穴位选择...[详细]", "excerpt"),
    ("针灸后出现腿软无力多属正常针感反应。", "content"), ("医生建议每天步行30分钟。", "content"),
    ("By the end of the week most patients recover.", "content"), ("Doctors recommend rest.", "content"),
])
def test_classify_lines(line, kind):
    from claimaudit.textnorm import simplified_view
    fam = "zh" if re.search(r"[\u4e00-\u9fff]", line) else "en"
    assert classify(simplified_view(line), fam, line)[0] == kind


def _best_time(build, text: str, repeats: int = 3) -> float:
    """The fastest of a few runs: a load spike or a collection in one run is not growth."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        build(text, "t.txt")
        best = min(best, time.perf_counter() - t0)
    return best


def test_long_lines_without_breaks_are_linear():
    """Chinese has no spaces: one long paragraph (or a line padded with spaces) must not stall."""
    unit = "针灸后出现腿软无力多属正常反应,通常与经络刺激有关" + " " * 50
    small, large = unit * 200, unit * 3200
    build_article(small, "s.txt")
    ts, tl = _best_time(build_article, small), _best_time(build_article, large)
    assert build_article(large, "l.txt").documents[0].role == "main"
    assert tl < 16 * 8 * max(ts, 2e-3)


def test_many_lines_are_linear():
    block = "肌肉痉挛怎么缓解?\n杜俊秋 副主任医师\n淮安市第二人民医院 三甲\n运动后30分钟内补充电解质。\n"
    small, large = block * 100, block * 1600
    build_article(small, "s.txt")
    ts, tl = _best_time(build_article, small), _best_time(build_article, large)
    art = build_article(large, "l.txt")
    assert sum(d.role == "answer" for d in art.documents) == 1599  # the first block is the page's main Q&A
    assert tl < 16 * 8 * max(ts, 2e-3)


@pytest.mark.parametrize("line", ["首页 > 健康问答 > 内科", "首页>中医>针灸", "Home > Health > Sleep", "您的位置：首页 > 正文"])
def test_breadcrumbs_are_furniture(line):
    assert classify(line, "zh" if re.search(r"[\u4e00-\u9fff]", line) else "en", line)[0] == "furniture"


@pytest.mark.parametrize("line", ["糖化血红蛋白>6.5%、空腹血糖>7.0mmol/L等指标判断", "血压>140/90mmHg 或 血糖>7.0 或 BMI>28",
                                  "Risk rises when BMI > 30 and age > 65 and LDL > 190."])
def test_comparisons_are_not_breadcrumbs(line):
    assert classify(line, "zh" if re.search(r"[\u4e00-\u9fff]", line) else "en", line)[0] == "content"


@pytest.mark.parametrize("unit, tail", [("a   >   ", "1"), ("甲   ›   ", "1"), ("a , ", "cares about you x"),
                                        ("医院 ", "三甲 x"), ("Dr. Ab ", "reply"), ("..", "x")])
def test_no_catastrophic_backtracking(unit, tail):
    """Lines built from cue fragments that almost match: time must grow about linearly with length."""
    assert_linear(unit, tail, [lambda v, l: classify(v, "zh", l), lambda v, l: classify(v, "en", l)])


def test_genre_metadata_cues_are_well_formed():
    """asker / byline / title-site cues: compile, never match an empty line, labels do not overlap."""
    en, zh, common = (load_yaml("segment", f) for f in ("en.yaml", "zh.yaml", "common.yaml"))
    for p in en["asker"]:
        assert not re.compile(p, re.I).match("")
    for p in zh["asker"]["line"] + [zh["asker"]["inline"]]:
        assert not re.compile(p).match("")
    assert not set(en["byline"]["writer_labels"]) & set(en["byline"]["reviewer_labels"])
    hb = zh["header_byline"]
    assert not set(hb["writer_labels"]) & set(hb["reviewer_labels"])
    assert all(any(k in p for k in ("{labels}", "{name}")) for p in hb["patterns"])
    ts = common["title_site"]
    assert ts["max_chars"] >= 10 and "_" in ts["separators"] and " - " in ts["separators"]
    assert not re.compile(ts["domain"]).match("")
    c = cues()
    assert len(c.asker) == len(en["asker"]) + len(zh["asker"]["line"]) and len(c.zh_bylines) == len(hb["patterns"])
