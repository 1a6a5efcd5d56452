"""Linear-time guards: 10x more adversarial input costs about 10x more time, never more than 25x.

The four shapes the extraction issue names (digits, `1-1-1-…`, `约约约…`, unpunctuated Chinese)
are measured at 100 kB against 1 MB; the other shapes at smaller sizes to keep the suite quick.

Chinese has no spaces, so one backtracking pattern could stall on a long page; these inputs are the
shapes that would expose it (long digit runs, chained ranges, repeated approximators, unpunctuated
prose). Only ratios of sizes are compared, never absolute times.
"""
from __future__ import annotations

import time

import pytest

from claimaudit.quantities import find_quantities

ZH = "腿部针灸后出现腿软无力多属正常针感反应通常与局部经络刺激气血调整个体敏感度有关一般持续三天"


def _cost(text: str, lang: str) -> float:
    t0 = time.perf_counter()
    find_quantities(text, lang)
    return time.perf_counter() - t0


@pytest.mark.parametrize("make,lang,size", [
    (lambda n: "1" * n, "zh-Hans", 100_000),
    (lambda n: "1-" * (n // 2), "zh-Hans", 100_000),
    (lambda n: "约" * n, "zh-Hans", 100_000),
    (lambda n: (ZH * (n // len(ZH) + 1))[:n], "zh-Hans", 100_000),
    (lambda n: "1-" * (n // 2), "en", 100_000),
    (lambda n: ("a few 1 to " * (n // 11 + 1))[:n], "en", 30_000),
    (lambda n: ("(1.5±0.3)岁" * (n // 10 + 1))[:n], "zh-Hans", 20_000),
    (lambda n: ("大于1小于2且" * (n // 7 + 1))[:n], "zh-Hans", 20_000),
    (lambda n: ("一半的患者半数" * (n // 7 + 1))[:n], "zh-Hans", 20_000),
    (lambda n: ("half of patients 1 in 5 adults " * (n // 31 + 1))[:n], "en", 30_000),
    (lambda n: ("women over 4 and older adults 6 and under " * (n // 42 + 1))[:n], "en", 30_000),
    (lambda n: ("心率年龄大于6每周3晚" * (n // 10 + 1))[:n], "zh-Hans", 20_000),
], ids=["digits", "chained-ranges-zh", "approximators", "zh-prose", "chained-ranges-en", "en-words",
        "mean-sd", "paired-comparators", "halves-zh", "fractions-en", "ages-en", "ages-nights-zh"])
def test_linear(make, lang, size):
    small, large = make(size), make(size * 10)
    _cost(small[:1000], lang)  # warm the compiled grammar
    t_small = max(min(_cost(small, lang) for _ in range(3)), 0.01)  # best of n; 10 ms floor: shared CI cores are noisy
    t_large = min(_cost(large, lang) for _ in range(2))
    assert t_large / t_small < 25, f"{t_large:.3f}s vs {t_small:.3f}s"
