"""Exponential back-off with jitter (DESIGN.md, Connectivity).

"Equal jitter": half the delay is fixed, half random, so that several terminals that lost
the connection together do not all knock at once when it returns, yet none waits long.
"""

from __future__ import annotations

from collections.abc import Callable


def backoff_delay(failures: int, rng: Callable[[], float], *, base: float = 2.0,
                  cap: float = 60.0) -> float:
    if failures <= 0:
        return 0.0
    ceiling = min(cap, base * 2 ** (failures - 1))
    return ceiling / 2 + rng() * ceiling / 2
