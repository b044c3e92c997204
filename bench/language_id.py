"""Language identification measured on the real pages of tests/realset: py3langid (the languages the
engine expects, and all of its 97), lingua-language-detector and pycld2, page by page.

Run: .venv/bin/python -m bench.language_id [--split dev|test]
Prints accuracy per detector (overall and per language) and CPU per page; the engine keeps the best.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

from bench.harness import Figure, Figures, parser
from communique.language import detect_language
from tests.realset import pages

_BEFORE = frozenset(
    [
        "vi",
        "ru",
        "en",
        "no",
        "nn",
        "nl",
        "fr",
        "de",
        "zh",
        "es",
        "sv",
        "uk",
        "pt",
        "it",
        "ja",
        "ko",
        "pl",
        "id",
        "th",
        "km",
        "lo",
        "ar",
    ]
)

# The realset's codes for what the detectors call otherwise.
_SAME = {"nb": "no", "nn": "no", "zh-Hant": "zh", "zh-tw": "zh", "iw": "he", "tl": "fil"}


def _py3langid_all() -> Callable[[str], str | None]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return lambda text: str(identifier.classify(text[:5000])[0])


def _lingua() -> Callable[[str], str | None]:
    from lingua import LanguageDetectorBuilder  # noqa: PLC0415

    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text[:5000])
        return found.iso_code_639_1.name.lower() if found else None

    return detect


def _cld2() -> Callable[[str], str | None]:
    import pycld2  # noqa: PLC0415

    def detect(text: str) -> str | None:
        try:
            _reliable, _bytes, details = pycld2.detect(text[:5000])
        except pycld2.error:
            return None
        code = details[0][1]
        return None if code == "un" else code

    return detect


DETECTORS: dict[str, Callable[[], Callable[[str], str | None]]] = {
    "py3langid (the 22 languages kept before)": lambda: lambda text: detect_language(text, _BEFORE),
    "py3langid (the engine's: all but Danish)": lambda: detect_language,
    "py3langid (all 97)": _py3langid_all,
    "lingua (all 75)": _lingua,
    "pycld2": _cld2,
}


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--split", choices=["dev", "test"], help="one half only")
    args = options.parse_args()
    figures = Figures("language_id", args.results)
    labelled = pages(args.split)
    print(f"{len(labelled)} pages")
    for name, build in DETECTORS.items():
        detect = build()
        detect("warm up")
        per_language: dict[str, list[bool]] = defaultdict(list)
        wrong = []
        started = time.process_time()
        for page in labelled:
            got = detect(page.text)
            got = _SAME.get(got or "", got)
            per_language[page.language].append(got == page.language)
            if got != page.language:
                wrong.append(f"{page.language}→{got}")
        cpu = 1000 * (time.process_time() - started) / len(labelled)
        right = sum(sum(v) for v in per_language.values())
        print(f"\n{name}: {right}/{len(labelled)} = {right / len(labelled):.1%}, {cpu:.2f} ms CPU per page")
        print("  " + ", ".join(f"{lang} {sum(v)}/{len(v)}" for lang, v in sorted(per_language.items())))
        print("  wrong: " + ", ".join(sorted(wrong)))
        figures.add(Figure(f"language id: {name} correct", 100 * right / len(labelled), "%"))
        figures.add(Figure(f"language id: {name} CPU per page", cpu, "ms"))


if __name__ == "__main__":
    main()
