"""Tests for the YAML configuration: sources.yaml and the watch rules, their errors and Rule.fires."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from communique.errors import ConfigError
from communique.model import Relation
from communique.rules import Event, Rule, load_rules
from communique.sources import PageSource, load_sources
from communique.yaml_files import load_model

RULES = Path(__file__).parents[2] / "rules"


def nfd(text: str) -> str:
    """The decomposed form, as some sites and editors send it."""
    return unicodedata.normalize("NFD", text)


def write(folder: Path, name: str, text: str) -> Path:
    """Write a YAML file exactly as given (line 1 is the first line of `text`)."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(load: Callable[..., object], *args: object) -> str:
    """The message of the ConfigError that loading raises."""
    with pytest.raises(ConfigError) as caught:
        load(*args)
    return str(caught.value)


# --- load_model: syntax errors -------------------------------------------------------------------


class Anything(BaseModel):
    """A permissive model, so that only the YAML syntax is under test."""

    model_config = ConfigDict(extra="allow")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: c: d\n", 2),  # a mapping value where none is allowed
        ("a: 1\nb: 2\nc: @x\n", 3),  # '@' cannot start a token
        ("a: 1\nb:\n\t- x\n", 3),  # a tab for indentation
        ("a:\n  - x\n  - y\n b: 2\n", 4),  # a key at a stray indentation
        ("a: 1\n- b\n", 2),  # a sequence item inside a mapping
    ],
)
def test_invalid_yaml_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, "broken.yaml", text)
    message = config_error(load_model, path, Anything)
    assert message.startswith(f"{path}:{line}: invalid YAML")


@pytest.mark.parametrize(
    "text",
    [
        "rules:\n  - " + "[" * 20_000 + "]" * 20_000 + "\n",
        "rules:\n" + "".join("  " * n + "a:\n" for n in range(1, 300)),
    ],
    ids=["flow", "block"],
)
def test_deep_yaml_is_refused_at_its_line(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "deep.yaml", text)
    message = config_error(load_model, path, Anything)
    assert re.match(rf"{re.escape(str(path))}:\d+: nested more than \d+ levels deep$", message), message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.yaml", "rules:\n" + "  - {name: r, events: [new], notify: [t]}\n" * 30_000)
    assert re.match(
        rf"{re.escape(str(path))}: 1,\d{{3}},\d{{3}} bytes; .* may have 1,000,000$",
        config_error(load_model, path, Anything),
    )


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert config_error(load_model, path, Anything).startswith(f"{path}: cannot read")


def test_empty_file_is_an_empty_mapping(tmp_path: Path) -> None:
    write(tmp_path, "sources.yaml", "# nothing yet\n")
    write(tmp_path, "empty.yaml", "")
    assert load_sources(tmp_path) == []
    assert load_rules(tmp_path) == []


# --- sources.yaml: one line per error, at the offending field ------------------------------------

GOOD_SOURCE = "sources:\n  - id: a\n    kind: page\n    url: https://example.org/news\n"


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        pytest.param(
            GOOD_SOURCE + "    intervall: 60\n", 5, "sources.0.intervall", "Extra inputs", id="unknown-field"
        ),
        pytest.param("source:\n  - id: a\n", 1, "source", "Extra inputs", id="unknown-top-level-key"),
        pytest.param(
            GOOD_SOURCE + "    interval: often\n", 5, "sources.0.interval", "integer", id="wrong-type"
        ),
        pytest.param(
            GOOD_SOURCE + "    interval:\n      - 60\n", 5, "sources.0.interval", "integer", id="block-value"
        ),
        pytest.param(GOOD_SOURCE + "    interval: 1\n", 5, "sources.0.interval", "greater", id="too-often"),
        pytest.param(GOOD_SOURCE + "    max_items: 0\n", 5, "sources.0.max_items", "greater", id="no-items"),
        pytest.param(
            GOOD_SOURCE + "    allow_private: maybe\n", 5, "sources.0.allow_private", "boolean", id="not-bool"
        ),
        pytest.param(
            "sources:\n  - id: a\n    url: https://example.org/\n",
            2,
            "sources.0.kind",
            "required",
            id="missing",
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: rss\n    url: https://example.org/\n",
            3,
            "sources.0.kind",
            "'page', 'feed', 'sitemap', 'listing'",
            id="unknown-kind",
        ),
        pytest.param(
            "sources:\n  - id: Kremlin News\n    kind: page\n    url: https://example.org/\n",
            2,
            "sources.0.id",
            "pattern",
            id="bad-id",
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: page\n    url: ftp://example.org/\n",
            4,
            "sources.0.url",
            "http(s) URL",
            id="ftp-url",
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: page\n    url: example.org/news\n",
            4,
            "sources.0.url",
            "http(s) URL",
            id="no-scheme",
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: page\n    url: https:///news\n",
            4,
            "sources.0.url",
            "http(s) URL",
            id="no-host",
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: page\n    url:\n", 4, "sources.0.url", "string", id="empty-url"
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: page\n    url: [https://example.org/]\n",
            4,
            "sources.0.url",
            "string",
            id="url-list",
        ),
        pytest.param(
            "# comment\n\nsources:\n  - id: a\n    kind: page\n    url: https://example.org/\n"
            "  - id: b\n    kind: feed\n    url: https://example.org/feed\n    interval: x\n",
            10,
            "sources.1.interval",
            "integer",
            id="second-source-after-comments",
        ),
        pytest.param(
            "sources:\n  - id: a\n    kind: page\n    url: https://example.org/a\n"
            "  - id: b\n    kind: page\n    url: https://example.org/b\n"
            "  - id: a\n    kind: feed\n    url: https://example.org/c\n",
            8,
            "sources.2.id",
            "duplicate source id 'a'",
            id="duplicate-id",
        ),
    ],
)
def test_sources_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, problem: str
) -> None:
    path = write(tmp_path, "sources.yaml", text)
    message = config_error(load_sources, tmp_path)
    assert f"{path}:{line}: {field}: " in message
    assert problem in message


def test_every_source_error_is_reported_at_its_own_line(tmp_path: Path) -> None:
    text = (
        "sources:\n"
        "  - id: a\n"
        "    kind: page\n"
        "    url: https://example.org/\n"
        "    colour: red\n"  # line 5
        "  - id: b\n"
        "    kind: rss\n"  # line 7
        "    url: https://example.org/feed\n"
    )
    path = write(tmp_path, "sources.yaml", text)
    lines = config_error(load_sources, tmp_path).splitlines()
    assert [entry.split(": ")[0] for entry in lines] == [f"{path}:5", f"{path}:7"]


def test_a_source_s_errors_come_all_at_once(tmp_path: Path) -> None:
    text = "sources:\n  - id: a\n    kind: page\n    url: http://127.0.0.1/{date}\n    interval: 1\n"
    path = write(tmp_path, "sources.yaml", text)
    lines = config_error(load_sources, tmp_path).splitlines()
    assert [entry.split(": ")[0] for entry in lines] == [f"{path}:4", f"{path}:5"], lines
    assert "allow_private" in lines[0] and "sources.0.interval" in lines[1]


PRIVATE_HOSTS = [
    "127.0.0.1",
    "127.0.0.1:8080",
    "localhost",
    "LocalHost:8000",
    "news.localhost",
    "localhost.",
    "localhost.localdomain.",
    "ip6-localhost",
    "IP6-LOOPBACK",
    "news.localhost.",
    "10.0.0.1",
    "192.168.1.1",
    "172.16.5.4",
    "169.254.169.254",
    "0.0.0.0",
    "[::1]",
    "[::1]:8443",
    "[fd00::1]",
    "[::ffff:127.0.0.1]",
    "user:secret@127.0.0.1",
    # Shorthand IPv4 forms that the system resolver turns into loopback and private addresses.
    "127.1",
    "2130706433",
    "0x7f000001",
    "10.1",
]


def private_source(host: str, allow: bool) -> str:
    """A sources file whose only url (on line 4) points at `host`."""
    extra = "    allow_private: true\n" if allow else ""
    return f"sources:\n  - id: local\n    kind: page\n    url: http://{host}/statement\n{extra}"


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_private_host_is_refused_at_the_url_line(tmp_path: Path, host: str) -> None:
    path = write(tmp_path, "sources.yaml", private_source(host, allow=False))
    message = config_error(load_sources, tmp_path)
    assert f"{path}:4: sources.0.url: " in message
    assert "allow_private" in message


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_private_host_is_allowed_when_asked(tmp_path: Path, host: str) -> None:
    write(tmp_path, "sources.yaml", private_source(host, allow=True))
    [source] = load_sources(tmp_path)
    assert source.allow_private
    assert source.url == f"http://{host}/statement"


@pytest.mark.parametrize(
    "host", ["example.org", "8.8.8.8", "[2606:4700:4700::1111]", "localhost.example.org", "10.example.org"]
)
def test_public_host_is_accepted(tmp_path: Path, host: str) -> None:
    write(tmp_path, "sources.yaml", private_source(host, allow=False))
    [source] = load_sources(tmp_path)
    assert source.url == f"http://{host}/statement"


def test_source_defaults(tmp_path: Path) -> None:
    write(tmp_path, "sources.yaml", GOOD_SOURCE)
    assert load_sources(tmp_path) == [
        PageSource(id="a", kind="page", url="https://example.org/news", interval=600, max_items=30)
    ]


def test_missing_sources_file_names_it(tmp_path: Path) -> None:
    message = config_error(load_sources, tmp_path)
    assert message.startswith(f"{tmp_path / 'sources.yaml'}: ")


# --- rules files ---------------------------------------------------------------------------------

GOOD_RULE = "rules:\n  - name: r\n    events: [new]\n    notify: [team]\n"


def test_rule_file_syntax_error_names_that_file(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD_RULE)
    path = write(tmp_path, "b.yaml", "rules:\n  - name: r\n    events: [new]\n    notify: team: x\n")
    assert config_error(load_rules, tmp_path).startswith(f"{path}:4: invalid YAML")


def test_duplicate_rule_names_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "watch.yaml", GOOD_RULE + GOOD_RULE.removeprefix("rules:\n"))
    message = config_error(load_rules, tmp_path)
    assert f"{path}:5: rules.1.name: " in message
    assert "'r'" in message
    assert f"{path}:2" in message  # where the name was first used


def test_duplicate_rule_names_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "# team A\n" + GOOD_RULE)
    other = "rules:\n  - name: s\n    events: [new]\n    notify: [team]\n"
    second = write(tmp_path, "b.yaml", other + GOOD_RULE.removeprefix("rules:\n"))
    message = config_error(load_rules, tmp_path)
    assert f"{second}:5: rules.1.name: " in message
    assert f"{first}:3" in message


def test_rules_skip_sources_yaml_and_keep_file_order(tmp_path: Path) -> None:
    write(tmp_path, "sources.yaml", GOOD_SOURCE)
    write(tmp_path, "b.yaml", "rules:\n  - name: second\n    events: [changed]\n    notify: [x]\n")
    write(tmp_path, "a.yaml", "rules:\n  - name: first\n    events: [new]\n    notify: [y]\n")
    write(tmp_path, "notes.yml", "not: [a rules file\n")  # only *.yaml are rules
    assert [rule.name for rule in load_rules(tmp_path)] == ["first", "second"]


# --- the shipped configuration -------------------------------------------------------------------


def test_shipped_rules_folder_loads() -> None:
    sources = load_sources(RULES)
    rules = load_rules(RULES)
    assert sources
    assert rules
    assert len({source.id for source in sources}) == len(sources)
    assert all(source.allow_private is False for source in sources)


# --- Rule.fires ----------------------------------------------------------------------------------

NEW, CHANGED, MENTION = Relation.NEW, Relation.CHANGED, Relation.MENTION


def rule(**fields: object) -> Rule:
    """A rule that fires on new and changed texts, with fields overridden."""
    values: dict[str, object] = {"name": "r", "events": [NEW, CHANGED], "notify": ["team"]} | fields
    return Rule.model_validate(values)


@pytest.mark.parametrize(
    ("keyword", "text", "fires"),
    [
        ("joint statement", "They signed a JOINT STATEMENT today.", True),
        ("Joint Statement", "the joint statement", True),
        ("joint statement", "a joint-statement was issued", True),
        ("joint statement", "“Joint” — statement", True),
        ("joint statement", "joint\u00a0\u00a0statement", True),
        ("joint statement", "joint\nstatement", True),
        ("joint-statement", "Joint statement", True),
        ("joint statement", "statement, joint", False),
        ("joint statement", "joint press conference", False),
        ("Tuyên bố chung", "Việt Nam và Nga ra TUYÊN BỐ CHUNG.", True),
        ("Tuyên bố chung", nfd("Việt Nam và Nga ra Tuyên bố chung."), True),
        (nfd("Tuyên bố chung"), "tuyên bố chung", True),
        ("Tuyên bố chung", "Tuyên bố báo chí", False),
        ("hoà bình", "vì hòa bình và phát triển", True),
        ("hòa bình", "vì hoà bình và phát triển", True),
        ("hoà bình", nfd("vì HÒA BÌNH"), True),
        (nfd("Hoà Bình"), "hòa bình", True),
        ("thuỷ lợi", "hợp tác thủy lợi", True),
        ("hòa bình", "vì hoàn bình", False),  # another word, not a tone placement
        ("Совместное заявление", "«СОВМЕСТНОЕ ЗАЯВЛЕНИЕ» России и Вьетнама", True),
        ("ёлка", "Елка", True),
        ("Déclaration commune", nfd("la déclaration commune"), True),
        ("Déclaration commune", "la declaration commune", False),  # accents as written
    ],
)
def test_keywords_match_whatever_the_writing(keyword: str, text: str, fires: bool) -> None:
    assert rule(keywords=[keyword]).fires(Event(NEW, "any-source", text)) is fires


def test_any_keyword_is_enough() -> None:
    watch = rule(keywords=["joint statement", "Tuyên bố chung"])
    assert watch.fires(Event(NEW, "s", "Hai bên ra Tuyên bố chung"))
    assert watch.fires(Event(NEW, "s", "A joint statement"))
    assert not watch.fires(Event(NEW, "s", "A press release"))


@pytest.mark.parametrize(
    ("relation", "fires"), [(NEW, True), (CHANGED, True), (MENTION, False), (Relation.REPRINT, False)]
)
def test_events_filter(relation: Relation, fires: bool) -> None:
    assert rule(keywords=["joint statement"]).fires(Event(relation, "s", "a joint statement")) is fires


@pytest.mark.parametrize(("source_id", "fires"), [("kremlin", True), ("mid", True), ("vnexpress", False)])
def test_sources_filter(source_id: str, fires: bool) -> None:
    watch = rule(sources=["kremlin", "mid"])
    assert watch.fires(Event(NEW, source_id, "anything")) is fires


def test_no_keywords_and_no_sources_fire_on_every_text_of_the_events() -> None:
    watch = rule()
    assert watch.fires(Event(NEW, "s", ""))
    assert watch.fires(Event(CHANGED, "t", "whatever"))
    assert not watch.fires(Event(MENTION, "s", "whatever"))


WORD_CHARS = "abcdeghiklmnopqrstuvxyđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
words = st.text(alphabet=WORD_CHARS, min_size=1, max_size=8)
phrases = st.lists(words, min_size=1, max_size=4).map(" ".join)


@given(keyword=phrases, before=phrases, after=phrases)
def test_a_keyword_is_found_in_any_writing_of_a_text_containing_it(
    keyword: str, before: str, after: str
) -> None:
    watch = rule(keywords=[keyword])
    for writing in (keyword, keyword.upper(), nfd(keyword), keyword.title()):
        assert watch.fires(Event(NEW, "s", f"{before}, «{writing}»! {after}"))


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("The two sides issued a joint statement on Monday.", True),
        ("Joint-Statement: full text", True),
        ("They found disjoint statements in the archive.", False),
        ("a jointstatement typo", False),
    ],
)
def test_keywords_match_whole_words(text: str, fires: bool) -> None:
    rule = Rule(name="r", events=[Relation.NEW], keywords=["joint statement"], notify=["t"])
    assert rule.fires(Event(Relation.NEW, "any", text)) is fires


def test_a_keyword_without_letters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  - name: r\n    events: [new]\n    keywords: ['—']\n    notify: [t]\n")
    with pytest.raises(ConfigError, match=r"r\.yaml:4: rules\.0\.keywords\.0: .*letters or digits"):
        load_rules(tmp_path)
