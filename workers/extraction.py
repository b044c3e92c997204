"""Main text and metadata of a fetched page, with trafilatura; page furniture is left out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import trafilatura
from w3lib.encoding import html_to_unicode

from communique.errors import PermanentError
from communique.language import detect_language
from communique.text import paragraphs


@dataclass(frozen=True)
class Article:
    """The extracted, normalised article: paragraphs joined by newlines, and what is known of it."""

    text: str
    text_hash: str
    title: str | None
    language: str | None
    published: str | None


def text_hash(text: str) -> str:
    """The hash that decides whether a version is new: of the normalised paragraphs."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def extract_article(body: bytes, encoding: str | None, url: str) -> Article:
    """Extract an article from an HTML body; PermanentError when there is no main text."""
    html = body.decode(encoding or "utf-8", errors="replace")
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    raw = getattr(document, "text", None) if document is not None else None
    kept = paragraphs(raw or "")
    if not kept:
        raise PermanentError("no main text found in the page")
    text = "\n".join(kept)
    return Article(
        text=text,
        text_hash=text_hash(text),
        title=getattr(document, "title", None),
        language=detect_language(text),
        published=getattr(document, "date", None),
    )


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML body as a browser (and Scrapy) would: BOM, HTTP charset, <meta>, then sniffing."""
    encoding, text = html_to_unicode(content_type, body)
    return text, encoding


def looks_like_html(body: bytes) -> bool:
    """Whether a document is HTML rather than plain text (for inputs that carry no Content-Type)."""
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml")) or b"<body" in head or b"<p>" in head
