"""Text that came from outside (provider answers, imported files) before it is stored
or shown: no control characters (they can spoof a terminal or break a table cell),
bounded length."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MAX_MESSAGE = 2000


def clean_text(text: str | None, max_len: int = MAX_MESSAGE) -> str | None:
    """Drop control and bidirectional-override characters, keep newlines and tabs,
    trim, and cut to `max_len` characters (with an ellipsis)."""
    if text is None:
        return None
    cleaned = _CONTROL.sub("", str(text)).strip()
    if len(cleaned) > max_len:
        cleaned = cleaned[: max_len - 1] + "…"
    return cleaned
