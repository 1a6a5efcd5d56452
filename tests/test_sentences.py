"""Sentence spans: absolute offsets, Chinese and English rules, coverage, linear time."""
from __future__ import annotations

import bisect
import random
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from claimaudit.config import load_yaml
from claimaudit.sentences import SentenceLocator, split_sentences

ROOT = Path(__file__).resolve().parents[1]


def texts(text: str, lang: str = "zh-Hans", start: int = 0, end: int | None = None) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, start, end, lang)]


@pytest.mark.parametrize("text, want", [
    ("针灸有效。症状缓解！真的吗？是的；好", ["针灸有效。", "症状缓解！", "真的吗？", "是的；", "好"]),
    ("空腹血糖>7.0mmol/L,需就医。第二句", ["空腹血糖>7.0mmol/L,需就医。", "第二句"]),  # no split on , or .
    ("他说：“多喝水。”然后离开了。", ["他说：“多喝水。”", "然后离开了。"]),  # closing quote kept
    ("（见下文。）接着", ["（见下文。）", "接着"]),
    ("1.腰椎间盘突出症:压迫神经\n2.坐骨神经病变", ["1.腰椎间盘突出症:压迫神经", "2.坐骨神经病变"]),
    ("症状加重.建议就医", ["症状加重.", "建议就医"]),  # half-width full stop between Han
    ("疼痛难忍?!必须处理", ["疼痛难忍?!", "必须处理"]),
    ("  \n\n  ", []),
])
def test_chinese_rules(text, want):
    assert texts(text) == want


@pytest.mark.parametrize("text, want", [
    ("Dr. Lai replied. It resolves.", ["Dr. Lai replied.", "It resolves."]),
    ("Take 3.5 mg daily. Then stop.", ["Take 3.5 mg daily.", "Then stop."]),
    ("Use heat, e.g. a towel. Rest.", ["Use heat, e.g. a towel.", "Rest."]),
    ("Compare A vs. B in the U.S. population now.", ["Compare A vs. B in the U.S. population now."]),
    ("See Fig. 2 for details. No. 5 is next.", ["See Fig. 2 for details.", "No. 5 is next."]),
    ("1. Nerve Stimulation: yes. 2. Muscle Relaxation: also.", ["1. Nerve Stimulation: yes.", "2. Muscle Relaxation: also."]),
    ("Is this normal? Can it heal! Yes", ["Is this normal?", "Can it heal!", "Yes"]),
    ("A line without stop\nanother line", ["A line without stop", "another line"]),
    ("He said \"stop.\" Then left.", ["He said \"stop.\"", "Then left."]),
    ("It lasts approx. 5 minutes.", ["It lasts approx. 5 minutes."]),
])
def test_english_rules(text, want):
    assert texts(text, "en") == want


def test_abbreviation_list_is_data_and_lower_case():
    abbr = load_yaml("sentences.yaml")["en_abbreviations"]
    assert {"dr.", "e.g.", "i.e.", "vs.", "approx.", "fig.", "no.", "u.s."} <= set(abbr)
    assert all(a == a.lower() and a.endswith(".") for a in abbr)


def test_bounds_are_absolute():
    text = "前言。针灸有效。症状缓解。结尾。"
    a = text.index("针灸")
    b = text.index("结尾")
    spans = split_sentences(text, a, b)
    assert [text[s:e] for s, e in spans] == ["针灸有效。", "症状缓解。"]
    assert spans[0][0] == a


def _check_spans(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    prev_end = start
    for s, e in spans:
        assert prev_end <= s < e <= end
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert text[prev_end:s].strip() == ""  # nothing but whitespace between sentences
        prev_end = e
    assert text[prev_end:end].strip() == ""


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="针灸。！？；，,.!? \n\"”）3aA", max_size=60), st.sampled_from(["zh-Hans", "en"]),
       st.integers(0, 10), st.integers(0, 10))
def test_spans_cover_the_content_in_order(text, lang, cut_a, cut_b):
    start, end = min(cut_a, len(text)), max(0, len(text) - cut_b)
    spans = split_sentences(text, start, end, lang)
    _check_spans(text, spans, start, max(start, end))


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_seed_pages_split_cleanly(lang):
    for p in sorted((ROOT / "articles").iterdir()):
        text = p.read_text(encoding="utf-8")
        spans = split_sentences(text, 0, len(text), lang)
        _check_spans(text, spans, 0, len(text))
        for s, e in spans:
            assert "\n" not in text[s:e]
            if lang.startswith("zh"):
                assert not re.search(r"[。！？；][^”’」』）)】》\"'。！？；!?;]", text[s:e])


def _cost(text: str, lang: str) -> float:
    t = time.perf_counter()
    split_sentences(text, 0, len(text), lang)
    return time.perf_counter() - t


@pytest.mark.parametrize("lang, unit", [
    ("zh-Hans", "针灸后腿软无力多属正常反应，多数在1-3天内缓解。"),
    ("zh-Hans", "针" * 50 + " " * 200),
    ("en", "Dr. Lai said e.g. 3.5 mg. It works! " + "x" * 30),
])
def test_linear_time(lang, unit):
    small, big = unit * 200, unit * 3200  # 16x the size
    _cost(small, lang)
    ratio = min(_cost(big, lang) for _ in range(3)) / max(min(_cost(small, lang) for _ in range(3)), 1e-6)
    assert ratio < 16 * 8  # linear with generous slack; quadratic would be ~256x


def _split_lookup(text, start, end, lang, pos):
    spans = split_sentences(text, start, end, lang)
    if not spans:
        return None
    i = max(bisect.bisect_right([s for s, _ in spans], pos) - 1, 0)
    return spans[i], (spans[i - 1] if i > 0 else None)


@pytest.mark.parametrize("seed", [0, 1])
def test_locator_gives_the_split_sentences_spans(seed):
    """``SentenceLocator`` scans only around a position; it must agree with the full split for any
    text, bounds, look-back reach and order of positions (the extractor relies on it)."""
    rng = random.Random(seed)
    alpha = "针灸。！？；，,.!? \n\"”）)」3aAXe.g Dr"
    for _ in range(3000):
        text = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 100)))
        if rng.random() < 0.3:
            text = text.replace("a", "Dr. ").replace("e", "e.g. ")
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        lang = rng.choice(["zh-Hans", "zh-Hant", "en"])
        positions = [rng.randrange(start, end) for _ in range(rng.randint(0, 6))] if end > start else []
        if rng.random() < 0.5:
            positions.sort()
        loc = SentenceLocator(text, start, end, lang)
        loc.REACH = rng.choice([0, 1, 3, 10, 120])
        for p in positions:
            assert loc.locate(p) == _split_lookup(text, start, end, lang, p), (text, start, end, lang, p)


@pytest.mark.parametrize("lang, unit", [("zh-Hans", "针灸后腿软3天"), ("en", "e.g. 5 mg "),
                                        ("en", "." * 30 + " 3 mg\n\n\n   ")])
def test_locator_stays_linear(lang, unit):
    def cost(n):
        text = unit * n
        t = time.perf_counter()
        loc = SentenceLocator(text, 0, len(text), lang)
        for i, ch in enumerate(text):
            if ch in "35":
                loc.locate(i)
        return time.perf_counter() - t

    cost(2000)
    ratio = min(cost(32000) for _ in range(2)) / max(min(cost(2000) for _ in range(2)), 1e-6)
    assert ratio < 16 * 8  # linear with generous slack; quadratic would be ~256x
