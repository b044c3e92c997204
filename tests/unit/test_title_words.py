"""Title words: the runs of a statement's title that no other known title has, found in the sentences
of a page that name a statement."""

from __future__ import annotations

from communique.title_words import carries, own_runs, runs

MAY_2025 = "Joint Statement on the main directions of the Vietnam–Russia comprehensive strategic partnership"
JUNE_2024 = "Joint Statement on deepening the comprehensive strategic partnership"


def test_runs_leave_out_the_countries_and_the_statement_wording() -> None:
    found = runs(MAY_2025)
    assert ("on", "the", "main") in found and ("main", "direct", "of") in found
    words = {word for run in found for word in run}
    assert not words & {"joint", "statem", "vietna", "russia"}


def test_runs_of_a_script_without_spaces_are_of_characters_without_country_names() -> None:
    found = runs("ベトナム・ロシアの包括的な戦略的パートナーシップの主要方針に関する共同声明")
    assert ("主要方針",) in found
    assert not any("ロ" in run[0] or "ベ" in run[0] for run in found)


def test_a_run_two_titles_share_belongs_to_neither() -> None:
    own = own_runs({"may-2025": {"en": MAY_2025}, "june-2024": {"en": JUNE_2024}})
    assert ("compre", "strate", "partne") not in own["may-2025"] | own["june-2024"]
    assert ("main", "direct", "of") in own["may-2025"]
    assert ("on", "deepen", "the") in own["june-2024"]


def test_a_statement_is_named_by_its_title_words_only_when_enough_of_them_are_there() -> None:
    own = own_runs({"may-2025": {"en": MAY_2025}, "june-2024": {"en": JUNE_2024}})["may-2025"]
    assert carries(runs("They adopted a joint statement on the main directions of their ties."), own)
    assert not carries(runs("A joint statement on the main issues."), own)  # one run: chance


def test_a_run_never_spans_two_lines() -> None:
    found = runs("a joint statement on the main\ndirections of the new period")
    assert ("the", "main", "direct") not in found and ("direct", "of", "the") in found


def test_runs_of_characters_need_three_for_a_title() -> None:
    own = own_runs(
        {
            "may-2025": {"ja": "新時代における主要方針に関する共同声明"},
            "other": {"ja": "ビジョンに関する共同声明"},
        }
    )
    assert carries(runs("主要方針に関する共同声明を発表"), own["may-2025"])  # 主要方, 要方針, 方針に, ...
    assert not carries(runs("主要方針に"), own["may-2025"])  # 2 runs, 5 characters in a row: not enough
