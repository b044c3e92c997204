"""Language identification (py3langid: offline, its model ships inside the package)."""

from __future__ import annotations

import py3langid


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the main language of a text, or None when there is too little text."""
    sample = text[:5000]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    language, _score = py3langid.classify(sample)
    return str(language)
