"""Main text and metadata of a fetched page, with trafilatura; page furniture is left out.

Pages come from anywhere, so every step is bounded: the body's size is checked before anything is
decoded, binary content and undecodable text are refused before parsing, and the text handed on to
matching is capped. Each refusal is a PermanentError whose message is stored on the fetch.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import trafilatura
from htmldate import find_date
from trafilatura.core import _forum_thread_page
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.settings import Extractor, set_date_params
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH
from w3lib.encoding import html_to_unicode, read_bom

from communique.errors import PermanentError
from communique.settings import Settings
from communique.text import paragraphs, remove_invisible

log = logging.getLogger(__name__)
T = TypeVar("T")

# The crawler never stores a larger body (DOWNLOAD_MAXSIZE); pages are refused before decoding too.
MAX_PAGE_BYTES: Final[int] = Settings.model_fields["max_page_bytes"].default
# Text handed on to matching: a joint statement is 10-60 thousand characters, the longest Kremlin
# transcripts about 300 thousand. Beyond this the rest of the page is dropped (matching time and
# memory grow with the text: about 20 s and 700 MB for 5 million characters).
MAX_TEXT_CHARS: Final = 500_000
# A decoded HTML page has almost no control characters and few undecodable bytes; binary content
# (images, archives, compressed bodies without their Content-Encoding) has many of both.
SAMPLE_CHARS: Final = 64 * 1024
MAX_CONTROL_SHARE: Final = 0.01
MAX_UNDECODABLE_SHARE: Final = 0.1
# A page's main-extractor text is still its article when it keeps half of the previous text's
# characters in paragraphs it has too. On the churn bench (bench/churn.py: 76 real pages, 836 fetches
# after the first, new furniture on every request, edits one paragraph at a time) the main text kept
# 0.95 or more of the previous text on 725 of them, 0.58-0.94 on 65 mostly just after an edit, 0.28
# and 0.38 where the edited paragraph was most of a short article (the cascade then decides, as on a
# first sighting); on the 4 pages whose text comes from the cascade it kept 0.0-0.18.
SAME_ARTICLE_SHARE: Final = 0.5
# libxml2 stops parsing at 256 levels of elements; a page that gets near is cut short.
MAX_DEPTH: Final = 250
# An element with MAX_DEPTH ancestors, found by a path of child steps from the root element, which
# libxml2 follows level by level (counting every element's ancestors took 2.4 times as long).
_TOO_DEEP: Final = "boolean(" + "/*" * (MAX_DEPTH + 1) + ")"
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Cyrillic letters, and letters where Latin and Cyrillic meet inside a word: many of the first and
# almost none of the second is Russian (Ukrainian, Bulgarian) text; Latin-1 text read as cp1251
# gives Cyrillic letters glued to Latin ones ("rйsumй").
_CYRILLIC: Final = re.compile("[\u0400-\u04ff]")
_MIXED: Final = re.compile("[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")
# The encodings browsers decode pages with (WHATWG Encoding Standard); a sniffer's other guesses
# (cp1125, mac-iceland...) for a page that declares nothing are taken as "unknown".
_WEB_ENCODING_NAMES: Final = (
    "utf-8 ibm866 iso-8859-2 iso-8859-3 iso-8859-4 iso-8859-5 iso-8859-6 iso-8859-7 iso-8859-8 "
    "iso-8859-10 iso-8859-13 iso-8859-14 iso-8859-15 iso-8859-16 koi8-r koi8-u mac-roman "
    "mac-cyrillic cp874 cp1250 cp1251 cp1252 cp1253 cp1254 cp1255 cp1256 cp1257 cp1258 latin-1 "
    "ascii gbk gb18030 big5 euc-jp iso-2022-jp shift_jis euc-kr utf-16-le utf-16-be utf-16"
)
WEB_ENCODINGS: Final = frozenset(codecs.lookup(name).name for name in _WEB_ENCODING_NAMES.split())


@dataclass(frozen=True)
class Article:
    """The extracted, normalised article: paragraphs joined by newlines, and what is known of it."""

    text: str
    text_hash: str
    title: str | None
    published: str | None


def text_hash(text: str) -> str:
    """The hash that decides whether a version is new: of the normalised paragraphs."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def extract_article(
    body: bytes,
    encoding: str | None,
    url: str,
    max_bytes: int = MAX_PAGE_BYTES,
    previous: Sequence[str] = (),
) -> Article:
    """Extract an article from an HTML body; PermanentError saying why when there is no main text.

    `previous` is the text the page had (its paragraphs), when it was seen before: see `_article`.
    """
    tree = page_tree(body, encoding, max_bytes)
    title, published = _third_party(title_and_date, tree, url)
    kept = _article(tree, url, previous)
    if not kept:
        raise PermanentError("no article text found in the page")
    text = "\n".join(bounded(kept, url))
    return Article(text=text, text_hash=text_hash(text), title=title, published=published)


def page_tree(body: bytes, encoding: str | None, max_bytes: int = MAX_PAGE_BYTES) -> Any:
    """The page parsed (an lxml tree), as extraction reads it; PermanentError saying why it is none."""
    if len(body) > max_bytes:
        raise PermanentError(f"too large: {len(body):,} bytes > limit {max_bytes:,}")
    if not body.strip():
        raise PermanentError(f"empty: {len(body):,} bytes, no content")
    html, used = decode_body(body, encoding)
    refuse_binary(html, used)
    # Parsed once, by trafilatura's own loader; invisible characters inside words would also hide
    # them from trafilatura's text heuristics.
    tree = _third_party(trafilatura.load_html, remove_invisible(html))
    if tree is None:
        raise PermanentError("no article text found in the page")
    refuse_deep_nesting(tree)
    return tree


def _third_party(step: Callable[..., T], *args: Any) -> T:
    """One trafilatura step on a page; whatever it raises on a hostile page is that page's error."""
    try:
        return step(*args)
    except Exception as exc:  # a third-party parser on untrusted input: the page is the problem
        raise PermanentError(f"extraction failed: {type(exc).__name__}: {exc}"[:300]) from exc


def _article(tree: Any, url: str, previous: Sequence[str]) -> list[str]:
    """The article's paragraphs: from the first of trafilatura's paths, cheapest first, that still
    finds the text the page had, else from its whole cascade.

    The cascade compares the main extractor's text with readability's and jusText's and may take
    theirs, and on some pages furniture tips that choice: a line in an ad slot switched a real news
    page (tests/churn.py) between its 1,834-character article and 4,385 characters of article plus
    comment rules on alternate requests, each switch an alert. The rescues that follow the main
    extractor tip too: a text under 250 characters is replaced by the text of the page's <article>
    element, which glued a short article (an edit had taken it under 250) to the view counters and
    ad line beside it, in one paragraph that changed on every request. So a page seen before keeps
    the main extractor's own text while it overlaps its previous text; then the main extractor with
    those rescues (the path of pages whose article it misses: on 8 of the 122 real pages with a text
    it finds under 250 characters or a tenth of what they find; on the 114 others the two agree); a
    first sighting, or a page where both lost the article, gets the cascade, which finds more of the
    article on 8 of the 60 labelled pages (155 labelled snippets against 145 for the main extractor
    alone).
    """
    if previous:
        for path in (main_extractor_text, _rescued):
            text = paragraphs(_third_party(path, tree, url))
            if _share_kept(text, previous) >= SAME_ARTICLE_SHARE:
                return text
    return paragraphs(_text(_third_party(_main_text, tree, url, False)))


def _share_kept(new: Sequence[str], old: Sequence[str]) -> float:
    """The share of the old text's characters in paragraphs the new text has too."""
    kept = set(new)
    return sum(len(p) for p in set(old) if p in kept) / max(1, sum(len(p) for p in set(old)))


def _text(document: Any) -> str:
    raw = getattr(document, "text", None) if document is not None else None
    return raw or ""


def _main_text(tree: Any, url: str, fast: bool = False) -> Any:
    """trafilatura's main text of the page (it works on a copy of the tree); `fast`: without the
    comparison with readability and jusText (its rescues of a short text still run)."""
    return trafilatura.bare_extraction(tree, url=url, include_comments=False, include_tables=True, fast=fast)


def _rescued(tree: Any, url: str) -> str:
    """The main extractor's text with trafilatura's rescues of a short text (its `fast` mode)."""
    return _text(_main_text(tree, url, True))


def main_extractor_text(tree: Any, url: str) -> str:
    """trafilatura's main extractor alone: the first stage of its cascade, prepared as
    `trafilatura.core.trafilatura_sequence` (2.3.1) prepares it, without the rescues that follow."""
    options = Extractor(output_format="python", fast=True, comments=False, tables=True, url=url)
    pruned = prune_unwanted_nodes(copy(tree), RAW_TREE_PRUNE_XPATH)
    if not _forum_thread_page(pruned):  # on a forum thread trafilatura keeps comments: the posts
        pruned = prune_unwanted_nodes(pruned, REMOVE_COMMENTS_AND_LISTS_XPATH)
    converted = convert_tags(tree_cleaning(pruned, options), options, url)
    body, _ = extract_content(converted, options)
    return str(xmltotxt(body, options.formatting))


def title_and_date(tree: Any, url: str) -> tuple[str | None, str | None]:
    """The title and publication date, found as trafilatura's metadata pass finds them.

    That pass also looks for authors, categories, tags, a licence and the site name, which we never
    use: a quarter of extraction time. This is its title and date part, step for step, on the same
    tree before the text is extracted (tests/golden/test_extraction.py compares the two on every real
    page). The date comes from the page's metadata and markup only: htmldate's extensive search of the
    text takes 40 % of extraction time and adds 4 of 62 correct dates on the labelled pages (54 vs
    50). The date is one clue to which known statement a report is about (communique.identity:
    `published`); where a page gives none, the service counts the day its crawler first saw it.
    """
    found = examine_meta(tree)
    try:
        found = extract_meta_json(tree, found)
    except Exception as exc:  # trafilatura too goes on without the page's JSON-LD when it is broken
        log.info("JSON-LD metadata of %s not read: %s", url, exc)
    found.title = found.title or extract_title(tree)
    found.url = found.url or extract_url(tree, url)
    found.date = find_date(tree, **{**set_date_params(extensive=False), "url": found.url})
    found.clean_and_trim()
    return found.title, found.date


def decode_body(body: bytes, encoding: str | None) -> tuple[str, str]:
    """The text of a body and the encoding used: BOM, then valid UTF-8, then the crawler's choice.

    Valid UTF-8 with non-ASCII bytes is almost never anything else, so it wins over a declared
    single-byte charset (sites that converted to UTF-8 keep their old <meta>). A body that is not
    valid UTF-8 although declared so, or whose charset was only guessed as one no browser uses, is
    read as windows-1251 when that gives Russian text, as Russian sites are the usual case.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom or b"") :].decode(bom_encoding, errors="replace"), bom_encoding
    declared = _codec(encoding)
    if declared is not None and declared.startswith(("utf-16", "utf-32")):
        return body.decode(declared, errors="replace"), declared
    utf8_end = _utf8_end(body)
    if utf8_end is not None:
        return body[:utf8_end].decode("utf-8"), "utf-8"
    if (declared in (None, "utf-8") or declared not in WEB_ENCODINGS) and _reads_as_cp1251(body):
        return body.decode("cp1251", errors="replace"), "cp1251"
    used = declared or "utf-8"
    return body.decode(used, errors="replace"), used


def _codec(encoding: str | None) -> str | None:
    try:
        return codecs.lookup(encoding).name if encoding else None
    except LookupError:
        return None


def _utf8_end(body: bytes) -> int | None:
    """Where valid UTF-8 ends: the whole body, or before a last character cut short (a truncated
    download); None if the body is not UTF-8."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_short = exc.reason == "unexpected end of data" and exc.end == len(body)
        return exc.start if cut_short else None
    return len(body)


def _reads_as_cp1251(body: bytes) -> bool:
    sample = body[: 4 * SAMPLE_CHARS].decode("cp1251", errors="replace")
    cyrillic = len(_CYRILLIC.findall(sample))
    return cyrillic >= 20 and len(_MIXED.findall(sample)) <= 0.02 * cyrillic


def refuse_binary(html: str, encoding: str) -> None:
    """PermanentError for a body that is not text: control characters or undecodable bytes."""
    sample = html[:SAMPLE_CHARS]
    controls = len(_CONTROL.findall(sample))
    if controls > MAX_CONTROL_SHARE * len(sample):
        raise PermanentError(f"not HTML: binary content ({controls / len(sample):.0%} control characters)")
    undecodable = sample.count("\ufffd")
    if undecodable > MAX_UNDECODABLE_SHARE * len(sample):
        raise PermanentError(
            f"not text in {encoding}: {undecodable / len(sample):.0%} of the characters do not decode"
        )


def bounded(kept: list[str], url: str) -> list[str]:
    """The paragraphs that fit in MAX_TEXT_CHARS (the first one cut if it alone is longer)."""
    total = 0
    for index, paragraph in enumerate(kept):
        total += len(paragraph) + 1
        if total > MAX_TEXT_CHARS:
            log.warning("text of %s cut at %d characters", url, MAX_TEXT_CHARS)
            return kept[:index] or [paragraph[:MAX_TEXT_CHARS]]
    return kept


def refuse_deep_nesting(tree: Any) -> None:
    """PermanentError for a page nested deeper than the HTML parser goes (libxml2 stops reading at
    256 levels), so whatever text it found would be a fragment of the page."""
    # The parser's error log is no help: libxml2 stops reporting after 100 errors.
    if tree.xpath(_TOO_DEEP):
        raise PermanentError(
            f"nested too deep: elements more than {MAX_DEPTH} levels down, where the HTML parser stops"
        )


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML body as a browser (and Scrapy) would: BOM, HTTP charset, <meta>, then sniffing."""
    encoding, text = html_to_unicode(content_type, body)
    return text, encoding


def looks_like_html(body: bytes) -> bool:
    """Whether a document is HTML rather than plain text (for inputs that carry no Content-Type)."""
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml")) or b"<body" in head or b"<p>" in head
