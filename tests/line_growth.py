"""Shared guard for line classifiers: cost must grow about linearly with line length."""
from __future__ import annotations

import time
from typing import Callable, Iterable

from claimaudit.textnorm import simplified_view


def assert_linear(unit: str, tail: str, checks: Iterable[Callable[[str, str], object]]) -> None:
    """Run every ``check(view, line)`` on ``unit * n + tail``; 8x longer may cost at most ~80x
    (exponential backtracking would cost thousands of times more)."""
    checks = list(checks)

    def run(n: int) -> float:
        line = unit * n + tail
        view = simplified_view(line)
        t0 = time.perf_counter()
        for _ in range(20):
            for check in checks:
                check(view, line)
        return time.perf_counter() - t0

    run(2)
    small, large = run(3), run(24)
    assert large < 8 * 10 * max(small, 1e-3), f"{large:.4f}s vs {small:.4f}s"
