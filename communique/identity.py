"""Statement identity: the card of a statement (parties, date, place, titles, signatories) and whether a
page that names a joint statement but copies none of it is about one of the known ones.

Pure code: the cards come from storage, the page's clues from its text (dates read by `dateparser`
in the page's language, countries from CLDR names) and its publication date. Every weight and
threshold below carries the figure of the labelled real pages (tests/realset, `dev` half) that set it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from communique.countries import mentions
from communique.names import city_forms, name_pattern, plain_text
from communique.text import match_key
from communique.title_words import Run, carries, own_runs, runs

# Figures below are of the real pages' dev half (tests/realset), 42 reports of known statements and
# 55 pages of other statements.
# The date a page gives can be a day off the statement's (time zones, a report dated the next day).
DAY_SLACK: Final = 1
# Previews announce a statement before it is adopted: a page published up to this many days before
# the statement can still be about it (a Kremlin preview ran 2 days before); earlier, it cannot.
PREVIEW_DAYS: Final = 3
# A page published this many days after a statement and naming one, with the statement's parties,
# reports that statement: 12 of the 14 dated reports of the dev half came 2 days before to 1 day
# after (previews included); the other two months later, and they write the statement's date.
REPORT_DAYS: Final = 10

# Evidence weights: a page is tied to a card when the sum reaches FIT_SCORE and no card scores as much.
# A strong clue (the day, the publication, a title number) is enough alone, a year is not. On the dev
# half, reports right / other statements right: FIT_SCORE 2: 27/42 and 47/55; 3: 26 and 47; 4: 18
# and 49.
WEIGHTS: Final = {
    "date": 3,  # the statement's day (or day and month) is in the text
    "published": 3,  # published within REPORT_DAYS of the statement
    "month": 2,  # the statement's month and year are in the text
    "year": 1,  # the statement's year is in the text
    "title": 3,  # a number of its title ("until 2030") is in the text
    "title words": 3,  # the sentences naming a statement carry words only its title has
    "signatory": 2,  # a signatory that no other known statement has is named
    # one that some other known statements have too (not all): a tie-breaker. To Lam signed June 2024
    # and May 2025: two reports of May 2025 that name him and Moscow had tied with November 2021 on
    # place; on the 514 dev pages it changes no other answer.
    "shared signatory": 1,
    # where it was adopted is named: in the sentences that name a statement when they name a known
    # place, since capitals stand for governments ("welcomed Hanoi's position" in a report of the
    # Moscow statement); when they name none and two cards tie, the known place the page names most.
    # On the ninth dev collection (31 reports) this tied 5 more to the right statement, and on the 524
    # dev pages before it changed none.
    "place": 2,
}
FIT_SCORE: Final = 2


@dataclass(frozen=True)
class Card:
    """What identifies a statement group."""

    statement_id: str
    adopted: dt.date | None = None
    parties: tuple[str, ...] = ()
    place: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    signatories: tuple[str, ...] = ()
    kind: str = "statement"  # "statement", or "article" for a known text that is no statement
    # Other forms of the place's and signatories' names, as the press of other languages writes them.
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def forms(self, name: str) -> tuple[str, ...]:
        """A name of the card and its other forms."""
        return (name, *self.names.get(name, ()))


@dataclass(frozen=True)
class TextDate:
    """A date written in a page: `year` None when the page gave only day and month."""

    year: int | None
    month: int | None
    day: int | None


@dataclass(frozen=True)
class Clues:
    """What a page says that can identify the statement it is about."""

    countries: Counter[str]
    dates: tuple[TextDate, ...]
    years: frozenset[int]
    published: dt.date | None
    named_dates: tuple[TextDate, ...] = ()  # dates in the sentences that name a statement
    named_years: frozenset[int] = frozenset()  # and years there
    named_text: str = ""  # those sentences, digits in ASCII
    plain: str = ""  # the page's match keys without diacritics, where names are looked for
    named_plain: str = ""  # and those of the sentences that name a statement
    naming_runs: frozenset[Run] = frozenset()  # the title runs of the sentences that name a statement


@dataclass(frozen=True)
class Fit:
    """How well a card fits a page: the score and the evidence behind it (or why it cannot fit)."""

    card: Card
    score: int
    evidence: tuple[str, ...]
    veto: str | None = None


_YEAR: Final = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_BUDDHIST_ERA: Final = 543  # Thai dates count years from 543 BC


def clues(
    keys: Sequence[str],
    text: str,
    language: str | None,
    published: dt.date | None,
    naming: Sequence[str] = (),
) -> Clues:
    """The identifying clues of a page: its countries, the dates and years it writes, its date, and the
    dates and years of `naming`, the sentences that name a statement (they say which one it is)."""
    text, naming = _ascii_digits(text), [_ascii_digits(sentence) for sentence in naming]
    named = "\n".join(naming)
    return Clues(
        mentions(keys),
        tuple(text_dates(text, language)),
        frozenset(_years(text)),
        published,
        named_dates=tuple(text_dates(named, language)) if named else (),
        named_years=frozenset(_years(named)),
        named_text=named,
        plain=_ascii_digits(plain_text(keys)),
        named_plain=plain_text(match_key(sentence) for sentence in naming),
        naming_runs=runs(named),
    )


_NON_ASCII_DIGIT: Final = re.compile(r"(?![0-9])\d")  # Python's \d: a decimal digit of any script


def _ascii_digits(text: str) -> str:
    """The text with digits of other scripts written as 0-9 ("عام ٢٠٠١" as "عام 2001"): years and
    title numbers are looked for in these, and a year counts when it is written out."""
    return _NON_ASCII_DIGIT.sub(lambda match: str(unicodedata.decimal(match.group())), text)


def _years(text: str) -> Iterable[int]:
    for match in _YEAR.finditer(text):
        yield int(match.group(1))


def text_dates(text: str, language: str | None) -> list[TextDate]:
    """The dates written in a text with at least a day and a month, or a month and a year.

    dateparser fills what a text leaves out from a base date; the base is a year no news is dated
    (1801), so a missing year is seen as such, and a found date is parsed once more requiring a day,
    so that "June" or "6月" alone is not read as a day of June.
    """
    language = _DATEPARSER_NAMES.get(language or "", language)
    languages = [language] if language and language in _DATEPARSER_LANGUAGES else None
    if language in _ORDINAL_DOT_MISSED:
        text = _ORDINAL_DOT.sub(r"\1 ", text)
    if language == "ko":
        text = _KOREAN_DAY_PARTICLE.sub(r"\1 ", text)
    found = []
    for written, parsed in _search_dates(text[:6000], languages):
        if abs((parsed - _BASE).days) <= _RELATIVE_DAYS:
            continue  # "today", "Thursday": relative to the base, not a date the text gives
        # The year must be written out: "les 19 et 20 juin" is not June 2020.
        has_year = parsed.year != _BASE.year and str(parsed.year) in written
        if parsed.year != _BASE.year and not has_year and not 1900 <= parsed.year <= 2100:
            # A span counted from the base ("75年", "20 years", "2030年まで" read as the year 3831);
            # within these years, another number read as one ("les 19 et 20 juin"): the day stays.
            continue
        year = parsed.year - _BUDDHIST_ERA if parsed.year > 2400 else parsed.year
        if has_year and not 1900 <= year <= 2100:
            continue  # a number read as a year ("3484")
        exact = _parse_date(written, languages, _DAY_SETTINGS)
        if exact is None and not has_year:
            continue  # a month name alone ("May") is a word as often as a date
        # dateparser 1.5's search reads a numeric date month first in every language ("11/5/2025" in an
        # Indonesian page as 5 November); its parse keeps the language's order (11 May).
        month, day = (exact.month, exact.day) if exact is not None else (parsed.month, None)
        found.append(TextDate(year if has_year else None, month, day))
    return found


def _search_dates(text: str, languages: list[str] | None) -> list[tuple[str, dt.datetime]]:
    search, _ = _dateparser()
    try:
        found = search(text, languages=languages, settings=_DATE_SETTINGS)
    except (ValueError, OverflowError, TypeError):  # dateparser gives up on some strings: other clues stay
        return []
    return list(found or [])


def _parse_date(written: str, languages: list[str] | None, settings: dict[str, object]) -> dt.datetime | None:
    _, parse = _dateparser()
    try:
        return parse(written, languages=languages, settings=settings)  # type: ignore[no-any-return]
    except (ValueError, OverflowError, TypeError):
        return None


_DATEPARSER_NAMES: Final = {"no": "nb", "nn": "nb"}  # dateparser knows Norwegian as Bokmål
# dateparser 1.5 reads Norwegian "15. januar 2025" as January 1 (German, Danish and Czech day dots
# it reads): the dot of such a day is dropped first.
_ORDINAL_DOT_MISSED: Final = frozenset({"nb"})
_ORDINAL_DOT: Final = re.compile(r"(?<!\d)(\d{1,2})\.\s(?=[^\W\d])")
# dateparser 1.5 misses a Korean day with a particle glued to it ("6월 19일과 20일": June alone); it
# reads the day once a space parts them.
_KOREAN_DAY_PARTICLE: Final = re.compile(r"(\d일)(?=[가-힣])")
_BASE: Final = dt.datetime(1801, 1, 1)
_RELATIVE_DAYS: Final = 7
_DATE_SETTINGS: Final = {
    "REQUIRE_PARTS": ["month"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "RELATIVE_BASE": _BASE,
}
_DAY_SETTINGS: Final = {**_DATE_SETTINGS, "REQUIRE_PARTS": ["day", "month"]}
_DATEPARSER_LANGUAGES: Final = frozenset(
    [
        "vi",
        "ru",
        "uk",
        "en",
        "fr",
        "de",
        "es",
        "it",
        "pt",
        "nl",
        "nb",
        "sv",
        "da",
        "pl",
        "cs",
        "zh",
        "ja",
        "ko",
        "id",
        "ms",
        "th",
        "hi",
        "ar",
        "tr",
        "fa",
        "km",
        "lo",
        "my",
        "bg",
        "ro",
    ]
)


@functools.cache
def _dateparser():  # type: ignore[no-untyped-def]
    """dateparser's search and parse, imported on first use (0.3 s to load its locale data)."""
    from dateparser import parse  # noqa: PLC0415
    from dateparser.search import search_dates  # noqa: PLC0415

    return search_dates, parse


def fit(
    card: Card,
    page: Clues,
    *,
    signatories: tuple[Sequence[str], Sequence[str]] = ((), ()),
    titled: frozenset[str] = frozenset(),
    own_title: frozenset[Run] = frozenset(),
    places: frozenset[str] | None = None,
) -> Fit:
    """How well a statement card fits what a page says. `signatories`: those of its signatories that no
    other known statement has (the ones that tell it apart), and those that some others have too, but
    not all; `titled`: the numbers in the titles of all known statements ("2030"); `own_title`: the runs
    of its titles no other title has."""
    veto = _veto(card, page, titled)
    if veto is not None or card.adopted is None:
        return Fit(card, 0, (), veto=veto or "no date on the card")
    evidence = _evidence(card, card.adopted, page, signatories, own_title, places=places)
    return Fit(card, sum(WEIGHTS[e] for e in evidence), tuple(evidence))


def _veto(card: Card, page: Clues, titled: frozenset[str]) -> str | None:
    """Why the card cannot be the page's statement, if it cannot."""
    if card.kind != "statement":
        return "not a statement"
    if card.parties and not _parties_named(card, page):
        return "parties"
    if card.adopted is None:
        return "no date on the card"
    if published_before(card, page.published):
        return "published before the statement"
    return _named_otherwise(card, card.adopted, page, titled)


def _evidence(
    card: Card,
    adopted: dt.date,
    page: Clues,
    signatories: tuple[Sequence[str], Sequence[str]],
    own_title: frozenset[Run],
    *,
    places: frozenset[str] | None = None,
) -> list[str]:
    """What the page says that fits the card (keys of WEIGHTS)."""
    evidence = []
    if any(_near(date, adopted, DAY_SLACK) for date in page.dates):
        evidence.append("date")
    elif any(date.year == adopted.year and date.month == adopted.month for date in page.dates):
        evidence.append("month")
    if page.published is not None and -PREVIEW_DAYS <= (page.published - adopted).days <= REPORT_DAYS:
        evidence.append("published")
    if adopted.year in page.years:
        evidence.append("year")
    if any(_number_in(number, page.named_text) for number in _title_numbers(card)):
        evidence.append("title")
    if own_title and carries(page.naming_runs, own_title):
        evidence.append("title words")
    own, shared = signatories
    if any(_named(card.forms(name), page) for name in own):
        evidence.append("signatory")
    elif any(_named(card.forms(name), page) for name in shared):
        evidence.append("shared signatory")
    # `places`: the known places identify() found telling (each named on the page); None: every one
    if card.place and (card.place in places if places is not None else _named(_place_forms(card), page)):
        evidence.append("place")
    return evidence


def _place_forms(card: Card) -> tuple[str, ...]:
    return (*card.forms(card.place), *city_forms(card.place)) if card.place else ()


def _count(forms: tuple[str, ...], text: str) -> int:
    pattern = _name_pattern(forms)
    return 0 if pattern is None else len(pattern.findall(text))


def _parties_named(card: Card, page: Clues) -> bool:
    """Whether the page names the card's parties: each by a country name (or adjective), or one of
    them only by a signatory of the card ("il capo del Cremlino Vladimir Putin") when the page names
    no country outside the card."""
    missing = [party for party in card.parties if not page.countries[party]]
    if not missing:
        return True
    others = [country for country, count in page.countries.items() if count and country not in card.parties]
    signed = any(_named(card.forms(name), page) for name in card.signatories)
    return len(missing) == 1 and len(missing) < len(card.parties) and not others and signed


def published_before(card: Card, published: dt.date | None) -> bool:
    """Whether a page published on this day came out too early to be about the card's statement."""
    adopted = card.adopted
    if published is None or adopted is None:
        return False
    return published < adopted - dt.timedelta(days=PREVIEW_DAYS)


def _named_otherwise(card: Card, adopted: dt.date, page: Clues, titled: frozenset[str]) -> str | None:
    """Why the sentences naming a statement point to another one: they give another day, or years
    none of which is this statement's (numbers of its title, "until 2030", aside; and years after the
    page's own, an anniversary to come, unless a known title has them)."""
    days = [date for date in page.named_dates if date.day and date.month]
    if days and not any(_near(date, adopted, PREVIEW_DAYS) for date in days):
        return "names a statement of another day"
    numbers = _title_numbers(card)
    years = page.named_years - {int(n) for n in numbers if len(n) == 4}
    if page.published is not None:
        years = frozenset(year for year in years if year <= page.published.year or str(year) in titled)
    if years and adopted.year not in years and not days:
        if any(_number_in(number, page.named_text) for number in numbers):
            return None  # "Joint Statement on 2030 Vision ... Since the joint declaration ... in 2001"
        return "names a statement of another year"
    return None


def _number_in(number: str, text: str) -> bool:
    """Whether a number is written in a text, also glued to letters ("2030年", "2030년")."""
    return re.search(rf"(?<!\d){number}(?!\d)", text) is not None


def _near(date: TextDate, adopted: dt.date, slack: int) -> bool:
    """A written day within `slack` days of the statement's; without a year, by day and month."""
    if date.day is None or date.month is None:
        return False
    try:
        written = dt.date(date.year or adopted.year, date.month, date.day)
    except ValueError:
        return False
    return abs((written - adopted).days) <= slack


def _title_numbers(card: Card) -> frozenset[str]:
    """Numbers in a card's titles other than its own year ("2030" in "vision until 2030")."""
    found = {number for title in card.titles.values() for number in re.findall(r"\d{3,4}", title)}
    return frozenset(found - {str(card.adopted.year) if card.adopted else ""})


def _named(forms: tuple[str, ...], page: Clues) -> bool:
    pattern = _name_pattern(forms)
    return pattern is not None and pattern.search(page.plain) is not None


@functools.cache
def _name_pattern(forms: tuple[str, ...]) -> re.Pattern[str] | None:
    return name_pattern(forms)


def identify(cards: Iterable[Card], page: Clues, *, report: bool = True) -> tuple[Fit | None, list[Fit]]:
    """The known statement a page is about (None when no card fits), and every card's fit.

    Title words count for a `report` only: a statement's own text names itself with its own title,
    which shares runs with known titles that the other known titles lack (the seeds' test: the May
    2025 text, unknown, carries two runs of the June 2024 title). A place counts where the sentences
    that name a statement give it; when they give none and two cards tie, only the known place the
    page names most often counts (capitals stand for their governments: "Moscow and Hanoi agreed").
    """
    cards = list(cards)
    statements = [card for card in cards if card.kind == "statement"]
    places = _places(statements, page.named_plain)
    fits = _fits(cards, page, report, frozenset(places) if places else None)
    if not places and _tied(fits):
        fits = _fits(cards, page, report, _most_named(_places(statements, page.plain)))
    if not fits or fits[0].veto is not None or fits[0].score < FIT_SCORE or _tied(fits):
        return None, fits  # none fits, or two statements fit as well: the page does not say which
    return fits[0], fits


def _fits(cards: list[Card], page: Clues, report: bool, places: frozenset[str] | None) -> list[Fit]:
    """Every card's fit, best first."""
    everyone = Counter(name for card in cards for name in set(card.signatories))
    titled = frozenset(number for card in cards for number in _title_numbers(card))
    statements = tuple((c.statement_id, tuple(c.titles.items())) for c in cards if c.kind == "statement")
    own = _own_runs(statements) if report else {}
    return sorted(
        (
            fit(
                card,
                page,
                signatories=(
                    [n for n in card.signatories if everyone[n] == 1],
                    [n for n in card.signatories if 1 < everyone[n] < len(statements)],
                ),
                titled=titled,
                own_title=own.get(card.statement_id, frozenset()),
                places=places,
            )
            for card in cards
        ),
        key=lambda f: (-f.score, f.card.statement_id),
    )


def _tied(fits: list[Fit]) -> bool:
    return len(fits) > 1 and fits[0].veto is None and fits[1].score == fits[0].score >= FIT_SCORE


def _places(cards: list[Card], text: str) -> dict[str, int]:
    """How often each known place is named in a text (places named at least once)."""
    counts = {card.place: _count(_place_forms(card), text) for card in cards if card.place}
    return {place: count for place, count in counts.items() if count}


def _most_named(counts: dict[str, int]) -> frozenset[str] | None:
    if not counts:
        return None
    most = max(counts.values())
    return frozenset(place for place, count in counts.items() if count == most)


@functools.lru_cache(maxsize=8)
def _own_runs(titles: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> dict[str, frozenset[Run]]:
    """`own_runs` of the cards' titles, kept while the cards stay the same (14 ms a call)."""
    return own_runs({statement: dict(by_language) for statement, by_language in titles})


def derive_card(
    statement_id: str, paragraphs: Sequence[str], keys: Sequence[str], language: str | None
) -> Card:
    """A card read from a statement's own text: its two most named countries, the date it gives most
    often (the day of signing or of the visit), and its first line as the title in its language."""
    countries = mentions(keys)
    parties = tuple(code for code, _ in countries.most_common(2)) if countries else ()
    dates = Counter(
        (date.year, date.month, date.day)
        for date in text_dates("\n".join(paragraphs[:12]), language)
        if date.year and date.day
    )
    adopted = None
    if dates:
        year, month, day = max(dates, key=lambda d: (dates[d], d))
        adopted = dt.date(year, month or 1, day or 1)
    titles = {language: paragraphs[0][:300]} if language and paragraphs else {}
    return Card(statement_id, adopted, parties, titles=titles)
