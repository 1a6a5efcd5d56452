"""segment: the shortcuts of line classification agree with the rules they stand for.

Each shortcut (``_reach`` leaving only the ungated cues, the furniture tiers, the gap scan for
furniture runs) must give exactly what the plain rule gives, on every line of the seed pages and
on a few hand-made lines with markdown marks, bars and case-folding strays."""
from pathlib import Path

import pytest

from claimaudit import segment as sg
from claimaudit.textnorm import simplified_view

ARTICLES = Path(__file__).resolve().parents[1] / "articles"
ODD_PAGE = "\n".join([
    "# Home | Health | Heart", "  KELVIN Kk by İstanbul ſtory ıt  ", "> quote...", "",
    "»» a › b › c", "By Jane Doe, RN", "Medically reviewed by Ann Lee, MD — Updated on June 9, 2022",
    "© 2024 Example Health. All rights reserved.", "扫码关注微信公众号", "北京协和医院 心内科 三甲",
    "李建国 主任医师 北京协和医院", "相关文章", "2023-11-08 14:20 | 浏览 12,580 次", "x" * 700 + " by",
    "医院" * 300, "免责声明：本文仅供参考", "Was this article helpful?", "5 min read",
])


def _pages() -> list[tuple[str, str]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))] + [ODD_PAGE]
    return [(t, simplified_view(t)) for t in texts]


@pytest.fixture(scope="module")
def lines() -> list[sg.Line]:
    return [ln for text, view in _pages() for ln in sg.split_lines(text, view) if ln.view]


def _reaching(lines: list[sg.Line], outcome) -> list[tuple[sg.Line, str]]:
    """(line, lowered view) of the lines whose cheap test gives ``outcome``."""
    out = [(ln, sg.line_low(ln.view)) for ln in lines]
    return [(ln, low) for ln, low in out if sg._reach(ln.view, low) == outcome]


def test_lines_the_cheap_test_clears_match_no_cue(lines):
    cleared = _reaching(lines, sg.NO_CUE)
    assert cleared
    for ln, low in cleared:
        core = sg._core(ln.view)
        kind, _ = sg._classify_cued(ln.view, ln.family, ln.text, core, low)
        assert kind in ("content", "excerpt"), ln.view


def test_ungated_cues_suffice_once_the_gate_failed(lines):
    unanchored = _reaching(lines, sg.UNANCHORED)
    assert unanchored
    for ln, low in unanchored:
        args = (ln.view, ln.family, ln.text, ln.view, low)
        assert sg._classify_cued(*args, anchored=False) == sg._classify_cued(*args, anchored=True), ln.view


def test_furniture_tiers_match_the_cues_one_by_one(lines):
    c = sg.cues()
    for ln in lines:
        low = sg.line_low(ln.view)
        plain = any(len(ln.view) <= max_len and (pat.match(ln.view) if how == "match" else pat.search(ln.view))
                    for max_len, how, pat in c.furn_search)
        assert sg._furniture_cue(ln.view, low) == plain, ln.view


def test_kinded_split_is_split_then_classify():
    for text, view in _pages():
        kinded = sg.split_lines(text, view, kinded=True)
        for ln, plain in zip(kinded, sg.split_lines(text, view)):
            expected = sg.classify(plain.view, plain.family, plain.text) if plain.view else ("blank", {})
            assert (ln.kind, ln.info) == expected


@pytest.mark.parametrize("kinds, spans, expected", [
    ("cbcbcc", [(2, 2)], [(0, 0), (4, 5)]),  # blank lines never start or end a run
    ("bcbbcb", [], [(1, 4)]),
    ("ccc", [(0, 2)], []),
    ("cbc", [(0, 0), (2, 2)], []),  # a gap of blank lines only
    ("ccccc", [(0, 2), (1, 3)], [(4, 4)]),  # overlapping spans still cover their lines
])
def test_gaps_are_the_non_blank_lines_between_spans(kinds, spans, expected):
    lines = [sg.Line(i, 0, 0, "", "", "en", "blank" if k == "b" else "content") for i, k in enumerate(kinds)]
    assert sg._gaps(lines, [sg.Span(f, l, "main") for f, l in spans]) == expected


def test_groups_reads_absent_groups_as_empty():
    m = sg.re.match(r"(?P<a>x)?(?P<b>y)", "y")
    assert sg._groups(m, "Y") == {"a": "", "b": "Y"}


def test_not_names_is_any_listed_word():
    c = sg.cues()
    assert c.not_names.search("免费咨询") and not c.not_names.search("李建国")
