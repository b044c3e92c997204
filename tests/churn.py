"""Real article pages served as a live news site would serve them: the article edited now and then,
the furniture around it different on every request. Used by the churn regression tests and bench.

Each page is a real page of ../shared/fixtures/real-html. Its body paragraphs are found in the HTML
(the innermost elements whose text is one paragraph of the extracted article, siblings in the
container that holds most of them); edits act on those: a number
changed, a paragraph appended (a paragraph of another page in the same language, or the page's own
longest paragraph turned around when the language has one page), a paragraph deleted. Appended and
deleted paragraphs have at least ADDED_MIN_WORDS words: shorter ones are, by the engine's definition,
not substantial (datelines, captions, "read more" lines). Furniture is ours:
a clock bar, view and comment counters, an in-article ad slot (empty, an advertiser's short line or a
"read also" link), a "most read" list and related teasers drawn from other pages of the language, a
cookie notice, CSRF tokens and script nonces; on request, whole headlines as text in the ad slot, and
a consent line in English at the foot. A request number seeds it, so a run is reproducible.
"""

from __future__ import annotations

import copy
import hashlib
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement
from scrapy.http import HtmlResponse

from communique.errors import PermanentError
from communique.text import match_key, normalise
from communique.words import word_count
from tests.bad_input import Stages
from tests.mutations import real_pages
from workers.changes import ADDED_MIN_WORDS
from workers.extraction import extract_article

EDITS = ("number", "append", "delete")
MIN_PARAGRAPH_CHARS = 40  # body paragraphs edited or deleted: shorter ones are captions and bylines
MIN_BODY_PARAGRAPHS = 3
AD_LABEL_WORDS = 5
# Elements a body paragraph may be (the innermost one holding exactly a paragraph of the article).
BLOCKS = ("p", "div", "li", "blockquote", "dd", "section")
_DIGITS = re.compile(r"\d+")
CONSENT = (
    "We use cookies and similar technologies to improve your experience, measure audiences and show "
    "you relevant advertising on this site."
)
CONSENT_SHARE = 0.4


@dataclass(frozen=True)
class Edit:
    """One body edit: its kind, the body paragraph it acts on, and the text it adds if any."""

    kind: str
    target: int  # index into the page's body paragraphs
    text: str = ""


@dataclass
class ChurnPage:
    """One real page: its parsed HTML, body paragraphs, and what furniture may draw on."""

    name: str
    url: str
    language: str
    tree: HtmlElement
    body: list[HtmlElement]  # the elements holding paragraphs of the extracted article
    pool: list[str] = field(default_factory=list)  # paragraphs of other pages in the language
    titles: list[str] = field(default_factory=list)
    ad_headlines: bool = False  # the ad slot shows whole headlines as text
    consent: bool = False  # a consent line (the same words every time) at the page's foot, at times

    def edit_for(self, kind: str, seed: int) -> Edit | None:
        """An edit of this kind the page allows (a number needs a paragraph with digits)."""
        rng = random.Random(f"{self.name}:{kind}:{seed}")
        live = [i for i, p in enumerate(self.body) if p.getparent() is not None]
        if kind == "number":
            with_digits = [i for i in live if _DIGITS.search(_own_text(self.body[i]))]
            return Edit(kind, rng.choice(with_digits)) if with_digits else None
        if kind == "delete":
            inner = [
                i for i in live[1:-1] or live if word_count(self.body[i].text_content()) >= ADDED_MIN_WORDS
            ]
            return Edit(kind, rng.choice(inner)) if len(live) > 1 and inner else None
        present = {match_key(p.text_content()) for p in self.body}
        fresh = [p for p in self.pool if match_key(p) not in present and word_count(p) >= ADDED_MIN_WORDS]
        if fresh:
            return Edit(kind, live[-1], rng.choice(fresh))
        longest = max(live, key=lambda i: len(self.body[i].text_content()))
        return Edit(kind, live[-1], _turned(self.body[longest].text_content()))

    def apply(self, edit: Edit) -> None:
        """Make the edit in the page's tree (edits accumulate, as on a live site)."""
        element = self.body[edit.target]
        if edit.kind == "number":
            _bump_number(element)
        elif edit.kind == "delete":
            element.drop_tree()
        else:
            added = lxml.html.Element(element.tag)
            added.text = edit.text
            added.set("data-churn-body", "1")
            element.addnext(added)
            self.body.insert(edit.target + 1, added)

    def render(self, request: int) -> bytes:
        """The page as served on this request: the current article inside fresh furniture."""
        rng = random.Random(f"{self.name}:{request}")
        tree = copy.deepcopy(self.tree)
        body_elements = [e for e in tree.iter(*BLOCKS) if e.get("data-churn-body")]
        _furnish(tree, body_elements, rng, self, request)
        for element in body_elements:
            del element.attrib["data-churn-body"]
        return lxml.html.tostring(tree, encoding="utf-8", method="html", doctype="<!DOCTYPE html>")


def _own_text(element: HtmlElement) -> str:
    return element.text or ""


def _bump_number(element: HtmlElement) -> None:
    """The first number of the paragraph's own text, plus 7 (same number of digits or one more)."""
    found = _DIGITS.search(element.text or "")
    assert found is not None and element.text is not None
    value = str(int(found.group()) + 7)
    element.text = element.text[: found.start()] + value + element.text[found.end() :]


def _turned(text: str) -> str:
    """A text made of the second half of `text` then its first half, cut where a space or, in scripts
    without spaces, any character is: new as a paragraph, in the page's own language and script."""
    half = len(text) // 2
    cut = text.find(" ", half)
    cut = half if cut < 0 else cut
    return (text[cut:].strip() + " " + text[:cut].strip()).strip()


def _furnish(
    tree: HtmlElement, body: list[HtmlElement], rng: random.Random, page: ChurnPage, request: int
) -> None:
    """Put this request's furniture around and inside the article."""
    head = tree.find("head")
    if head is not None:
        token = hashlib.sha256(f"{page.name}{request}".encode()).hexdigest()
        head.append(
            _fragment(f'<script nonce="{token[:16]}">window.__ts={1_700_000_000 + request * 5};</script>')
        )
        head.append(_fragment(f'<meta name="csrf-token" content="{token[16:48]}">'))
    page_body = tree.find("body")
    if page_body is None or not body:
        return
    clock = f"{(request * 7) % 24:02d}:{(request * 13) % 60:02d}:{rng.randrange(60):02d}"
    page_body.insert(
        0,
        _fragment(f'<div class="topbar"><span class="clock">{clock}</span> · {rng.randrange(9, 31)}°</div>'),
    )
    first = body[0]
    first.addprevious(
        _fragment(
            f'<div class="meta"><span class="views">{rng.randrange(100, 99999):,}</span> '
            f'<span class="comments">{rng.randrange(0, 400)}</span></div>'
        )
    )
    slot = _fragment('<div class="ad-slot" id="ad-inline"></div>')
    filled = rng.random()
    if filled < 0.5 and page.titles:
        slot.append(_ad(rng.choice(page.titles), filled < 0.25, page.ad_headlines, rng))
    body[min(2, len(body) - 1)].addprevious(slot)
    container = first.getparent()
    assert container is not None
    titles = rng.sample(page.titles, min(6, len(page.titles)))
    items = "".join(f'<li><a href="/news/{rng.randrange(10**6)}">{_escaped(t)}</a></li>' for t in titles)
    container.addnext(_fragment(f'<aside class="most-read"><h3>★</h3><ol>{items}</ol></aside>'))
    teasers = rng.sample(page.pool, min(3, len(page.pool)))
    cards = "".join(
        f'<div class="card"><a href="/r/{rng.randrange(10**6)}">{_escaped(t[:120])}</a></div>'
        for t in teasers
    )
    page_body.append(_fragment(f'<section class="related">{cards}</section>'))
    if rng.random() < 0.3:
        notice = _escaped(rng.choice(page.titles or ["OK"]))
        token = f'<input type="hidden" name="csrf" value="{rng.getrandbits(64):x}">'
        page_body.append(
            _fragment(
                f'<div class="cookie-notice"><p>{notice}</p><form>{token}<button>OK</button></form></div>'
            )
        )
    if page.consent and rng.random() < CONSENT_SHARE:
        page_body.append(_fragment(f'<div id="consent"><p>{CONSENT}</p><button>Accept</button></div>'))


def _ad(title: str, link: bool, headline: bool, rng: random.Random) -> HtmlElement:
    """What an ad slot shows: an advertiser's short line, or a "read also" link to a headline; with
    `headline`, the headline itself as a line of text (what makes some pages change extractor)."""
    if headline:
        return _fragment(f'<p class="sponsor">{_escaped(title)}</p>')
    if link:
        return _fragment(
            f'<p class="read-also"><a href="/news/{rng.randrange(10**6)}">{_escaped(title)}</a></p>'
        )
    label = " ".join(title.split()[:AD_LABEL_WORDS])
    return _fragment(f'<p class="sponsor">{_escaped(label)}</p>')


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fragment(markup: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(markup)


def load_pages(real_html: Path, limit: int | None = None, laid_out: bool = False) -> list[ChurnPage]:
    """The real pages that have an article of at least MIN_BODY_PARAGRAPHS body paragraph elements,
    with each language's pool of other pages' paragraphs and titles. With `laid_out`, also the pages
    whose article text is in other markup (lines split by <br>), their paragraphs laid out in <p>."""
    pages: list[ChurnPage] = []
    texts: dict[str, list[tuple[str, list[str], str]]] = defaultdict(list)
    for real in real_pages(real_html):
        parsed = _parsed(real.name, real.body, real.url, real.language)
        if parsed is None and laid_out:
            parsed = _laid_out(real.name, real.body, real.url, real.language)
        if parsed is None:
            continue
        page, paragraphs, title = parsed
        texts[page.language].append((page.name, paragraphs, title))
        pages.append(page)
    for page in pages:
        others = [t for t in texts[page.language] if t[0] != page.name]
        page.pool = [
            p for _, paragraphs, _ in others for p in paragraphs if len(p) >= 2 * MIN_PARAGRAPH_CHARS
        ]
        page.titles = [title for _, _, title in others if title] or [
            p[:60] for p in (e.text_content() for e in page.body)
        ]
    return pages[:limit]


def _parsed(name: str, raw: bytes, url: str, language: str | None) -> tuple[ChurnPage, list[str], str] | None:
    encoding = HtmlResponse(url=url, body=raw).encoding
    try:
        article = extract_article(raw, encoding, url)
    except PermanentError:
        return None
    keys = Counter(match_key(p) for p in article.text.split("\n") if len(p) >= MIN_PARAGRAPH_CHARS)
    wanted = {key for key, times in keys.items() if times == 1}  # a repeated line is not one paragraph
    tree = lxml.html.document_fromstring(
        raw.decode(encoding, errors="replace").encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8")
    )
    found = [e for e in tree.iter(*BLOCKS) if match_key(normalise(e.text_content())) in wanted]
    inner = set(found)
    innermost = [e for e in found if not any(d in inner for d in e.iterdescendants())]
    # The article is the container holding most of them as siblings; the others (a comment thread,
    # a list of links the extractor kept) are not edited.
    parents = Counter(e.getparent() for e in innermost)
    container = max(parents, key=lambda parent: parents[parent]) if parents else None
    body = [e for e in innermost if e.getparent() is container]
    if len(body) < MIN_BODY_PARAGRAPHS or language is None:
        return None
    for element in body:
        element.set("data-churn-body", "1")
    return ChurnPage(name, url, language, tree, body), article.text.split("\n"), article.title or ""


def _laid_out(
    name: str, raw: bytes, url: str, language: str | None
) -> tuple[ChurnPage, list[str], str] | None:
    try:
        article = extract_article(raw, HtmlResponse(url=url, body=raw).encoding, url)
    except PermanentError:
        return None
    paragraphs = article.text.split("\n")
    if language is None or sum(len(p) >= MIN_PARAGRAPH_CHARS for p in paragraphs) < MIN_BODY_PARAGRAPHS:
        return None
    title = article.title or paragraphs[0]
    return _parsed(f"{name}-laid-out", _markup(title, paragraphs), "https://news.example/page", language)


@dataclass(frozen=True)
class Fetch:
    """One request of the schedule: the body served and the edit made just before it, if any."""

    page: ChurnPage
    request: int
    body: bytes
    edit: Edit | None


def schedule(
    page: ChurnPage, kinds: tuple[str, ...], fetches: int, every: int, first: int = 0
) -> Iterator[Fetch]:
    """`fetches` requests of a page, numbered from `first`; before every `every`-th one (not the
    first) the next edit of `kinds` that the page allows is made."""
    pending = list(kinds)
    for request in range(first, first + fetches):
        edit = None
        if request > first and request % every == 0 and pending:
            edit = page.edit_for(pending.pop(0), request)
            if edit is not None:
                page.apply(edit)
        yield Fetch(page, request, page.render(request), edit)


CHANGED_RULE = """
rules:
  - name: edits
    events: [changed]
    notify: [desk]
"""
SERVED_AS = "text/html; charset=utf-8"


@dataclass
class PageOutcome:
    """What one page's schedule gave: alerts per request, versions stored, edits made."""

    name: str
    language: str
    edits: list[int] = field(default_factory=list)  # requests that followed an edit
    alerts: dict[int, int] = field(default_factory=dict)  # request -> alerts filed on it
    versions: int = 0
    fetches: int = 0
    crashes: list[str] = field(default_factory=list)

    @property
    def true_alerts(self) -> int:
        """Edits alerted on the request that followed them (once)."""
        return sum(1 for r in self.edits if self.alerts.get(r, 0) >= 1)

    @property
    def false_alerts(self) -> int:
        """Alerts on requests that followed no edit, and any second alert for one edit."""
        edited = set(self.edits)
        return sum(n if r not in edited else n - 1 for r, n in self.alerts.items())


def run_page(
    stages: Stages, page: ChurnPage, kinds: tuple[str, ...], fetches: int, every: int, *, first: int = 0
) -> PageOutcome:
    """Serve a page's schedule through the real pipeline and jobs; count alerts and versions."""
    url = f"https://news.example/{page.name}"
    outcome = PageOutcome(page.name, page.language)
    for fetch in schedule(page, kinds, fetches, every, first):
        before = len(stages.alerted)
        stages.serve(url, fetch.body, SERVED_AS)
        outcome.crashes += stages.crashes
        outcome.fetches += 1
        if fetch.edit is not None:
            outcome.edits.append(fetch.request)
        if len(stages.alerted) > before:
            outcome.alerts[fetch.request] = len(stages.alerted) - before
    row = stages.db.row(
        "SELECT COUNT(*) AS n FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.url = ?",
        (url,),
    )
    outcome.versions = int(row["n"]) if row else 0
    return outcome


def _markup(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{_escaped(paragraph)}</p>" for paragraph in paragraphs)
    page = f"<html><head><title>{_escaped(title)}</title></head><body><article>{body}</article></body></html>"
    return page.encode()


def page_of_paragraphs(name: str, language: str, title: str, paragraphs: list[str]) -> ChurnPage:
    """A page of `paragraphs` (real text of a page whose HTML holds no paragraph elements) in a plain
    news layout: one `<p>` each inside an `<article>`."""
    parsed = _parsed(name, _markup(title, paragraphs), "https://news.example/page", language)
    assert parsed is not None, f"{name}: fewer than {MIN_BODY_PARAGRAPHS} body paragraphs"
    page = parsed[0]
    page.titles = [paragraph[:60] for paragraph in paragraphs]
    return page
