"""Throughput of the quantity grammar (characters per second, single process).

usage: python benchmarks/bench_quantities.py [ARTICLES_DIR]
Builds ~1 MB of Chinese and ~1 MB of English page text from the articles and times
``find_quantities`` over it, whole-text and in 1 000-character document windows.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from claimaudit.quantities import find_quantities
from claimaudit.textnorm import detect_lang


def corpus(folder: Path, want_en: bool, size: int = 1_000_000) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    picked = "\n".join(t for t in texts if (detect_lang(t) == "en") == want_en) or "\n".join(texts)
    return (picked * (size // max(len(picked), 1) + 1))[:size]


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "articles")
    for name, want_en, lang in (("zh", False, "zh-Hans"), ("en", True, "en")):
        text = corpus(folder, want_en)
        find_quantities(text[:2000], lang)
        t0 = time.perf_counter()
        n = len(find_quantities(text, lang))
        whole = len(text) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for i in range(0, len(text), 1000):
            find_quantities(text, lang, i, i + 1000)
        windows = len(text) / (time.perf_counter() - t0)
        print(f"{name}: {len(text):,} chars, {n} quantities, whole text {whole / 1e6:.2f} M chars/s, "
              f"1k windows {windows / 1e6:.2f} M chars/s")


if __name__ == "__main__":
    main()
