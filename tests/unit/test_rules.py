"""Watch rules: every kind of error in a rules file, each filter of Rule.fires, the schema, and
`rules check` warnings. (`rules test --since` is in test_rules_since.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from communique.model import Relation
from communique.rules import Event, Rule, RulesFile, rules_schema
from communique.statements import Genre
from communique.yaml_files import load_model
from interface.cli import cli
from tests.conftest import ROOT

NEW, CHANGED, REPRINT = Relation.NEW, Relation.CHANGED, Relation.REPRINT
GOOD = "rules:\n  - name: good\n    events: [new]\n    notify: [team]\n"
HEAD = "rules:\n  - name: r\n    events: [new, changed]\n    notify: [team]\n"  # a field added goes on line 5


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty rules folder (with sources.yaml) that the in-process command line reads."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "sources.yaml").write_text(
        "sources:\n"
        "  - {id: vietnamplus-vi, kind: page, url: 'https://www.vietnamplus.vn/'}\n"
        "  - {id: vietnamplus-en, kind: page, url: 'https://en.vietnamplus.vn/'}\n"
        "  - {id: tass-ru, kind: page, url: 'https://tass.ru/'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COMMUNIQUE_RULES_DIR", str(folder))
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COMMUNIQUE_APPRISE_CONFIG", raising=False)
    return folder


def check() -> Result:
    return CliRunner().invoke(cli, ["rules", "check"])


# --- rules check: one table row per kind of error ------------------------------------------------

ERRORS = [
    pytest.param(HEAD + "    keyword: [x]\n", 5, "rules.0.keyword", "Extra inputs", id="unknown-field"),
    pytest.param(HEAD + "    keywords: 12\n", 5, "rules.0.keywords", "valid list", id="wrong-type"),
    pytest.param(
        HEAD + "    min_new_paragraphs: many\n", 5, "rules.0.min_new_paragraphs", "integer", id="not-int"
    ),
    pytest.param(
        "rules:\n  - name: r\n    events:\n      - new\n      - published\n    notify: [t]\n",
        5,
        "rules.0.events.1",
        "'changed'",
        id="bad-event",
    ),
    pytest.param(
        HEAD + "    genre: [statement]\n", 5, "rules.0.genre.0", "'joint_statement'", id="bad-genre"
    ),
    pytest.param(
        HEAD + "    parties: [VN, XX]\n", 5, "rules.0.parties.1", "'XX' is not an ISO 3166", id="bad-party"
    ),
    pytest.param(HEAD + "    parties: [vn]\n", 5, "rules.0.parties.0", "write 'VN'", id="lowercase-party"),
    pytest.param(
        HEAD + "    languages: [vi, xx]\n", 5, "rules.0.languages.1", "ISO 639-1", id="bad-language"
    ),
    pytest.param(
        HEAD + "    languages: [Vietnamese]\n", 5, "rules.0.languages.0", "ISO 639-1", id="language-name"
    ),
    pytest.param(
        HEAD + "    patterns:\n      - 'joint statement'\n      - '(Tuyên bố chung'\n",
        7,
        "rules.0.patterns.1",
        "invalid regular expression (RE2 syntax): missing )",
        id="bad-regex",
    ),
    pytest.param(
        HEAD + "    patterns: {all: ['(?<=Nga) và']}\n",
        5,
        "rules.0.patterns.all.0",
        "invalid regular expression",
        id="regex-lookbehind",
    ),
    pytest.param(
        HEAD + "    min_coverage: 1.5\n",
        5,
        "rules.0.min_coverage",
        "less than or equal to 1",
        id="coverage>1",
    ),
    pytest.param(
        HEAD + "    min_coverage: -0.1\n", 5, "rules.0.min_coverage", "greater than or equal", id="coverage<0"
    ),
    pytest.param(
        HEAD + "    min_new_paragraphs: -1\n", 5, "rules.0.min_new_paragraphs", "greater", id="negative"
    ),
    pytest.param(
        GOOD + "  - name: good\n    events: [changed]\n    notify: [team]\n",
        5,
        "rules.1.name",
        "duplicate rule name 'good'",
        id="duplicate-name",
    ),
    pytest.param(
        "rules:\n  - name: r\n    events: [new]\n    notify: []\n",
        4,
        "rules.0.notify",
        "at least 1",
        id="empty-notify",
    ),
    pytest.param(
        "rules:\n  - name: r\n    events: [new]\n", 2, "rules.0.notify", "Field required", id="no-notify"
    ),
    pytest.param(
        HEAD + "    sources: [TASS ru]\n", 5, "rules.0.sources.0", "neither a source id", id="bad-source"
    ),
    pytest.param(
        HEAD + "    keywords:\n      any: [Nga]\n      none: [Mỹ]\n",
        7,
        "rules.0.keywords.none",
        "Extra inputs",
        id="kw-key",
    ),
    pytest.param(
        HEAD + "    keywords:\n      all:\n        - [joint statement, Tuyên bố chung]\n        - []\n",
        8,
        "rules.0.keywords.all.1",
        "at least 1 item",
        id="empty-group",
    ),
    pytest.param(
        HEAD + "    keywords: ['«»']\n", 5, "rules.0.keywords.0", "letters or digits", id="no-letters"
    ),
    pytest.param(HEAD + "    format: diff\n", 5, "rules.0.format", "'full' or 'summary'", id="bad-format"),
    pytest.param(HEAD + "    digest: weekly\n", 5, "rules.0.digest", "'hourly' or 'daily'", id="bad-digest"),
    pytest.param(
        "rules:\n  - name: r\n    events: [new, published]\n    notify: [t]\n",
        3,
        "rules.0.events.1",
        "'reprint'",
        id="bad-event-flow",
    ),
    pytest.param(
        "rules:\n  - name: r\n    events: new\n    notify: [t]\n",
        3,
        "rules.0.events",
        "valid list",
        id="events-str",
    ),
    pytest.param(
        "rules:\n  - name: r\n    events: []\n    notify: [t]\n",
        3,
        "rules.0.events",
        "at least 1",
        id="no-events",
    ),
    pytest.param(
        "rules:\n  - name: joint statement\n    events: [new]\n    notify: [t]\n",
        2,
        "rules.0.name",
        "pattern",
        id="bad-name",
    ),
    pytest.param(
        GOOD + "  - name: s\n    events: [new]\n    notify: [t]\n    sources: a\n",
        8,
        "rules.1.sources",
        "valid list",
        id="second-rule",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "problem"), ERRORS)
def test_check_names_file_line_and_field_of_every_kind_of_error(
    rules_dir: Path, text: str, line: int, field: str, problem: str
) -> None:
    (rules_dir / "a-good.yaml").write_text("rules:\n  - {name: other, events: [new], notify: [t]}\n")
    path = rules_dir / "b-watch.yaml"
    path.write_text(text, encoding="utf-8")
    result = check()
    assert result.exit_code == 2, result.output
    mine = [line for line in result.output.splitlines() if line.startswith(f"{path}:")]
    assert len(mine) == 1, result.output
    assert mine[0].startswith(f"{path}:{line}: {field}: "), mine[0]
    assert problem in mine[0]
    assert "rules OK" not in result.output


def test_check_names_the_line_of_a_yaml_syntax_error(rules_dir: Path) -> None:
    path = rules_dir / "broken.yaml"
    path.write_text(HEAD + "    keywords: [Nga, Việt Nam\n    genre: [news]\n", encoding="utf-8")
    result = check()
    assert result.exit_code == 2
    assert re.search(rf"^{re.escape(str(path))}:\d+: invalid YAML", result.output, re.MULTILINE), (
        result.output
    )


def test_check_reports_every_error_of_a_rule_at_its_own_line(rules_dir: Path) -> None:
    path = rules_dir / "many.yaml"
    path.write_text(
        HEAD + "    languages: [xx]\n    parties: [VN, ZZ]\n    patterns: ['(']\n    min_coverage: 2\n",
        encoding="utf-8",
    )
    output = check().output
    for line, field in [(5, "languages.0"), (6, "parties.1"), (7, "patterns.0"), (8, "min_coverage")]:
        assert f"{path}:{line}: rules.0.{field}: " in output


# --- rules check: warnings about rules that are valid but cannot do what they say ----------------


def test_check_warns_about_sources_that_match_no_configured_source(rules_dir: Path) -> None:
    (rules_dir / "w.yaml").write_text(
        HEAD + "    sources: [vietnamplus-*, '*-ru', tass-en, 'vnexpress*']\n", encoding="utf-8"
    )
    result = check()
    assert result.exit_code == 0, result.output
    assert "warning: rule 'r': sources entry 'tass-en' matches no source in sources.yaml" in result.output
    assert "'vnexpress*' matches no source" in result.output
    assert "vietnamplus-*' matches" not in result.output
    assert "'*-ru' matches" not in result.output
    assert "1 rules OK" in result.output


def test_check_warns_about_filters_that_can_never_hold(rules_dir: Path) -> None:
    (rules_dir / "w.yaml").write_text(
        "rules:\n  - {name: danish, events: [new], languages: [da, vi], notify: [t]}\n"
        "  - {name: covered-new, events: [new], min_coverage: 0.5, notify: [t]}\n"
        "  - {name: covered-changed, events: [new, changed], min_coverage: 0.5, notify: [t]}\n",
        encoding="utf-8",
    )
    result = check()
    assert result.exit_code == 0, result.output
    assert "warning: rule 'danish': language 'da' is never detected" in result.output
    assert "'vi'" not in result.output
    assert "warning: rule 'covered-new': min_coverage never holds" in result.output
    assert "covered-changed" not in result.output


# --- Rule.fires ----------------------------------------------------------------------------------


def rule(**fields: object) -> Rule:
    """A rule that fires on new and changed texts, with fields overridden (as if read from YAML)."""
    values: dict[str, object] = {"name": "r", "events": ["new", "changed"], "notify": ["team"]} | fields
    return Rule.model_validate(values)


def event(text: str = "", **facts: object) -> Event:
    values: dict[str, object] = {"relation": NEW, "source_id": "tass-ru", "text": text} | facts
    return Event(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source_id", "fires"),
    [
        *[("vietnamplus-vi", True), ("vietnamplus-en", True), ("kremlin-en", True), ("tass-ru", True)],
        *[("tass-en-archive", False), ("vietnamplus", False), ("Vietnamplus-vi", False)],
    ],
)
def test_sources_are_ids_or_globs(source_id: str, fires: bool) -> None:
    watch = rule(sources=["vietnamplus-*", "*-en", "tass-ru"])
    assert watch.fires(event(source_id=source_id)) is fires


@pytest.mark.parametrize(("language", "fires"), [("vi", True), ("ru", True), ("en", False), (None, False)])
def test_languages_filter_the_main_language(language: str | None, fires: bool) -> None:
    assert rule(languages=["vi", "ru"]).fires(event(language=language)) is fires


@pytest.mark.parametrize(
    ("parties", "fires"), [(("VN", "RU"), True), (("RU", "VN", "CN"), True), (("VN",), False), ((), False)]
)
def test_parties_must_all_be_there(parties: tuple[str, ...], fires: bool) -> None:
    assert rule(parties=["VN", "RU"]).fires(event(parties=parties)) is fires


def test_genre_filter() -> None:
    watch = rule(genre=["joint_statement"])
    assert watch.fires(event(genre=Genre.JOINT_STATEMENT))
    assert not watch.fires(event(genre=Genre.NEWS))


STATEMENT = [
    ["Tuyên bố chung", "Совместное заявление", "joint statement"],
    ["Việt Nam", "Вьетнам*", "Vietnam"],
]


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Совместное заявление России и Вьетнама", True),
        ("Toàn văn TUYÊN BỐ CHUNG Việt Nam – Liên bang Nga", True),
        ("Vietnam and Russia issued a joint statement.", True),
        ("The joint statement of Russia and China", False),  # no Vietnam
        ("Vietnam and Russia held talks", False),  # no statement
        ("A Vietnamese joint-statement", False),  # "Vietnamese" is not the word "Vietnam"
    ],
)
def test_all_groups_must_each_match_in_any_language(text: str, fires: bool) -> None:
    assert rule(keywords={"all": STATEMENT}).fires(event(text)) is fires


@pytest.mark.parametrize(
    ("keyword", "text", "fires"),
    [
        ("Вьетнам", "с Вьетнамом", False),  # whole words only...
        ("Вьетнам*", "с Вьетнамом", True),  # ...unless the keyword ends with *
        ("Вьетнам*", "Вьетнам", True),
        ("Вьетнам*", "Мавьетнам", False),  # the start of a word
        ("совместное заявлени*", "в совместном заявлении", False),  # * is for the last word only
        ("совместн* заявлени*", "", None),  # refused
    ],
)
def test_a_final_star_matches_the_start_of_a_word(keyword: str, text: str, fires: bool | None) -> None:
    if fires is None:
        with pytest.raises(ValueError, match=r"'\*' only ends a keyword"):
            rule(keywords=[keyword])
        return
    assert rule(keywords=[keyword]).fires(event(text)) is fires


def test_any_and_all_combine_and_a_lone_string_is_a_group_of_one() -> None:
    watch = rule(keywords={"any": ["Putin", "Путин"], "all": ["Nga", ["Việt Nam", "Vietnam"]]})
    assert watch.keywords.all == [["Nga"], ["Việt Nam", "Vietnam"]]
    assert watch.fires(event("Tổng thống Nga Putin thăm Việt Nam"))
    assert not watch.fires(event("Tổng thống Nga thăm Việt Nam"))  # none of `any`
    assert not watch.fires(event("Putin thăm Việt Nam"))  # the group "Nga" is missing


def test_a_plain_keyword_list_is_any_of_them() -> None:
    assert rule(keywords=["joint statement", "Tuyên bố chung"]) == rule(
        keywords={"any": ["joint statement", "Tuyên bố chung"]}
    )


@pytest.mark.parametrize(
    ("pattern", "text", "fires"),
    [
        (r"tuyên bố chung\W+việt nam", "TUYÊN BỐ CHUNG: Việt Nam – Nga", True),  # case-insensitive
        ("hòa bình", "vì hoà bình", True),  # pattern and text normalised alike (tone placement)
        ("hoà bình", "VÌ HÒA BÌNH", True),
        ('"joint statement"', "the “Joint Statement”", True),  # curly quotes are plain in both
        ("совместное заявление", "Совместное ЗАЯВЛЕНИЕ", True),
        ("(?-i)Joint Statement", "joint statement", False),  # (?-i) asks for case
        (r"\b20[23]\d\b", "hợp tác đến năm 2030", True),
        (r"^Hai bên", "Mở đầu\nHai bên nhất trí", False),  # ^ is the text's start...
        (r"(?m)^Hai bên", "Mở đầu\nHai bên nhất trí", True),  # ... or a paragraph's with (?m)
        ("đầu.hai", "Mở đầu\nHai bên", False),  # . does not cross paragraphs
    ],
)
def test_patterns_search_the_normalised_text(pattern: str, text: str, fires: bool) -> None:
    assert rule(patterns=[pattern]).fires(event(text)) is fires


def test_patterns_any_and_all() -> None:
    either = rule(patterns=["Putin", "Путин"])
    both = rule(patterns={"all": ["Putin", r"\d{4}"]})
    assert either.fires(event("Путин"))
    assert not either.fires(event("Medvedev"))
    assert both.fires(event("Putin, 2025"))
    assert not both.fires(event("Putin"))


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    """`(a+)+$` on "aaa…b" backtracks for ages with `re`; RE2 answers at once (no timing asserted)."""
    watch = rule(patterns=["(a+)+$", "(x|x)*y"])
    assert not watch.fires(event("a" * 50_000 + "b\n" + "x" * 50_000))


@pytest.mark.parametrize(
    ("new", "changed", "fires"), [(0, 0, False), (1, 0, False), (2, 0, True), (0, 2, True), (1, 1, True)]
)
def test_min_new_paragraphs_counts_new_and_edited_paragraphs(new: int, changed: int, fires: bool) -> None:
    watch = rule(min_new_paragraphs=2)
    assert watch.fires(event(new_paragraphs=new, changed_paragraphs=changed)) is fires


@pytest.mark.parametrize(("coverage", "fires"), [(None, False), (0.49, False), (0.5, True), (1.0, True)])
def test_min_coverage(coverage: float | None, fires: bool) -> None:
    assert rule(min_coverage=0.5).fires(event(relation=CHANGED, coverage=coverage)) is fires


def test_without_thresholds_any_event_of_the_kind_fires() -> None:
    assert rule().fires(event())
    assert not rule().fires(event(relation=REPRINT))


# --- schema and documentation --------------------------------------------------------------------


def test_schema_offers_both_shapes_of_keywords_and_patterns() -> None:
    schema = rules_schema()
    properties = schema["$defs"]["Rule"]["properties"]
    for field, model in (("keywords", "Keywords"), ("patterns", "Patterns")):
        shapes = properties[field]["anyOf"]
        assert shapes[0]["type"] == "array"
        assert shapes[0]["items"]["type"] == "string"
        assert {"$ref": f"#/$defs/{model}"} in shapes
        assert schema["$defs"][model]["additionalProperties"] is False
        assert set(schema["$defs"][model]["properties"]) == {"any", "all"}
    assert "VN" in properties["parties"]["items"]["enum"]
    assert properties["min_coverage"]["anyOf"][0] == {"type": "number", "minimum": 0, "maximum": 1}
    assert all(spec.get("description") for name, spec in properties.items() if name != "name")
    json.dumps(schema)


def yaml_blocks(text: str) -> list[str]:
    """The ```yaml blocks of a Markdown text that hold rules."""
    return [b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if b.startswith("rules:")]


def test_the_rule_examples_in_the_readme_and_the_shipped_rules_file_are_valid(tmp_path: Path) -> None:
    blocks = yaml_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks
    # The shipped file's header comment shows examples too, commented out.
    header = (ROOT / "rules" / "joint-statements.yaml").read_text(encoding="utf-8").split("\nrules:")[0]
    commented = re.findall(r"^# ?(.*)$", header, re.MULTILINE)
    example = "\n".join(commented[commented.index("rules:") :]) + "\n"
    for number, block in enumerate([*blocks, example]):
        path = tmp_path / f"{number}.yaml"
        path.write_text(block, encoding="utf-8")
        assert load_model(path, RulesFile).rules, block
