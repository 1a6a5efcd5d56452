"""segment: the page-batched line classification agrees with the per-line rules it stands for.

``split_lines(kinded=True)`` kinds a page's lines with ``_kind_lines`` (the literal prefilter and
the excerpt-mark search run once over the page's lines, repeated lines classified once);
``FurnTier`` picks the floating furniture cues to try with one ``NeedleIndex`` scan. Each must
give exactly what the plain per-line rule gives, on the seed pages and on hand-made lines with
markdown marks, bars, case-folding strays, repeated lines and final sigmas."""
import random
from pathlib import Path

import pytest

from claimaudit import segment as sg
from claimaudit.textnorm import ScriptProfile, detect_lang, simplified_view

ARTICLES = Path(__file__).resolve().parents[1] / "articles"
ODD_LINES = [
    "# Home | Health | Heart", "KELVIN \u212ak by İstanbul ſtory ıt", "> quote...", "»» a › b › c",
    "By Jane Doe, RN", "Medically reviewed by Ann Lee, MD — Updated on June 9, 2022",
    "© 2024 Example Health. All rights reserved.", "扫码关注微信公众号", "北京协和医院 心内科 三甲",
    "李建国 主任医师 北京协和医院", "相关文章", "2023-11-08 14:20 | 浏览 12,580 次", "x" * 700 + " by",
    "医院" * 300, "免责声明：本文仅供参考", "Was this article helpful?", "5 min read",
    "ΟΔΟΣ ΚΑΙ ΟΔΟΣ by", "Σ by Σ", "加我微信了解更多", "这个回答对您有帮助吗",
    "Click here to claim your free e-book", "Read more [详细]", "高血压怎么办…", "Updated June 9, 2022",
    "Posted by admin", "这篇文章很有用。",
]


def _texts() -> list[str]:
    pages = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))]
    rng = random.Random(7)
    odd = ODD_LINES + ["  " + x + "\u3000" for x in ODD_LINES]
    mixed = ["\n".join(rng.choice(odd + [""]) for _ in range(60)) for _ in range(12)]
    no_strays = ["\n".join(x for x in page.split("\n") if not sg._has_fold_strays(x)) for page in mixed]
    return pages + mixed + no_strays


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str]]:
    return [(t, simplified_view(t)) for t in _texts()]


def test_batched_kinds_are_per_line_classify(pages):
    for text, view in pages:
        for ln in sg.split_lines(text, view, kinded=True):
            expected = sg.classify(ln.view, ln.family, ln.text) if ln.view else ("blank", {})
            assert (ln.kind, ln.info) == expected, ln.view


def test_repeated_lines_own_their_info():
    text = "李建国 主任医师\n\n李建国 主任医师"
    lines = sg.split_lines(text, text, kinded=True)
    assert lines[0].kind == lines[2].kind == "byline"
    assert lines[0].info == lines[2].info and lines[0].info is not lines[2].info


def test_prefilter_over_joined_lines_is_may_match_per_line(pages):
    c = sg.cues()
    views = [ln.view for text, view in pages for ln in sg.split_lines(text, view)
             if ln.view and not sg._has_fold_strays(ln.view)]
    for flt in {id(f): f for f in c.floating_by_len}.values():
        hit = flt.matching(views)
        assert hit == {k for k, v in enumerate(views) if flt.may_match(sg.line_low(v))}


def test_needle_index_picks_every_cue_whose_prefilter_passes(pages):
    c = sg.cues()
    lows = [sg.line_low(ln.view) for text, view in pages for ln in sg.split_lines(text, view) if ln.view]
    for tier in {id(t): t for t in c.furn_by_len}.values():
        filters = [sg.LineFilter.of([pat]) for pat in tier.floating]
        for low in lows:
            picked = tier.needles.candidates(low)
            assert {k for k, flt in enumerate(filters) if flt.may_match(low)} <= set(picked), low


def test_lines_hit_finds_each_line_once_and_no_match_across_lines():
    rx = sg.re.compile(r"ab|b\nc|\.\.")
    assert sg._lines_hit(rx, ["xab", "b", "cab..", "", "..", "a"]) == {0, 2, 4}
    assert sg._starts(["ab", "", "c"]) == [0, 3, 4, 6]


def test_month_prefixes_read_as_before():
    months = sg.load_yaml("segment", "en.yaml")["months"]
    for q in ["", "j", "ju", "jun", "jul", "ma", "mar", "may", "s", "dec", "xyz", "ja"]:
        old = next((k for k, name in enumerate(months, 1) if name.startswith(q)), None)
        assert sg._month_numbers().get(q) == old, q


def test_script_profile_counts_every_span():
    """Han, Latin-word starts (a letter not after a letter), traditional-only and simplified-only
    characters of each span, counted one by one."""
    from claimaudit import textnorm

    text = "醫師說明。\nThe doctor explains 𠀀 results.\n医生说明。Ab cd Éx"
    table = textnorm._class_table()
    flags = [int(table[min(ord(ch), len(table) - 1)]) for ch in text]
    latin = [bool(f & textnorm._LATIN) for f in flags]
    prof = ScriptProfile(text)
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            span = range(start, end)
            expected = (sum(bool(flags[i] & textnorm._HAN) for i in span),
                        sum(latin[i] and not (i and latin[i - 1]) for i in span),
                        sum(bool(flags[i] & textnorm._TRAD) for i in span),
                        sum(bool(flags[i] & textnorm._SIMP) for i in span))
            assert prof.counts(start, end) == expected, (start, end)
    assert prof.langs([(0, 5), (6, 20)]) == [prof.lang(0, 5), prof.lang(6, 20)] == ["zh-Hant", "en"]
    assert ScriptProfile("").langs([(0, 0)]) == ["en"]
    assert detect_lang("醫師說明。" * 500) == "zh-Hant"  # long texts go through the profile
