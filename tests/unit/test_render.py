"""Alert rendering: every format carries the facts, escapes what it quotes, and never comes out empty."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workers.render import (
    AlertFacts,
    Carrier,
    EmptyAlertError,
    Provenance,
    md,
    render_alert,
    render_bundle,
)

SEEN = 1_718_872_500.0  # 2024-06-20 08:35 UTC
FIRST = Carrier(
    "kremlin-ru", "http://kremlin.ru/supplement/6141", "Совместное заявление", "new", None, SEEN - 7200
)
OTHER = Carrier(
    "tass", "https://tass.ru/politika/1", "Заявление (полный текст)", "reprint", 0.97, SEEN - 3600
)
FACTS = AlertFacts(
    name="Tuyên bố chung <Việt Nam> & Nga",
    url="https://tintuc.example/a?x=1&y=(2)",
    source_id="tintuc",
    event="changed",
    version=3,
    seen_at=SEEN,
    kind="joint_statement, parties RU, VN, language vi",
    statement_id="S1",
    coverage=0.92,
    provenance=Provenance(first=FIRST, others=(OTHER,), others_total=12),
    summaries=("¶6 changed: 2024 → 2025",),
    diff_text="¶6 (changed):\nvào tháng 3 [-năm 2024-]{+năm 2025+} ```",
    diff_html='<p>vào tháng 3 <del style="background:#fdd">năm 2024</del>'
    '<ins style="background:#dfd">năm 2025</ins></p>',
)


def test_text_has_every_fact_and_the_diff() -> None:
    text = render_alert(FACTS).text
    for expected in (
        "Event: changed",
        "Source: tintuc",
        "URL: https://tintuc.example/a?x=1&y=(2)",
        "Seen: 2024-06-20 08:35 UTC (version 3)",
        "Statement: S1 (coverage 92%)",
        "First seen: 2024-06-20 06:35 UTC at kremlin-ru: http://kremlin.ru/supplement/6141",
        "Also carried by 12:",
        "tass: Заявление (полный текст) (reprint, coverage 97%, since 2024-06-20 07:35 UTC)",
        "and 11 more",
        "¶6 changed: 2024 → 2025",
        "[-năm 2024-]{+năm 2025+}",
    ):
        assert expected in text


def test_html_escapes_and_colours_with_inline_styles_only() -> None:
    html = render_alert(FACTS).html
    assert "Tuyên bố chung &lt;Việt Nam&gt; &amp; Nga" in html
    assert 'href="https://tintuc.example/a?x=1&amp;y=(2)"' in html
    assert "<table" in html and "<style" not in html and "class=" not in html
    assert re.search(r'<del style="[^"]*#fdd[^"]*">năm 2024</del>', html)
    assert re.search(r'<ins style="[^"]*#dfd[^"]*">năm 2025</ins>', html)


def test_markdown_escapes_and_keeps_the_diff_in_a_fence_it_cannot_close() -> None:
    markdown = render_alert(FACTS).markdown
    assert markdown.startswith(
        r"**[Tuyên bố chung \<Việt Nam\> & Nga](https://tintuc.example/a?x=1&y=%282%29)**"
    )
    assert "- **Statement:** S1 (coverage 92%)" in markdown
    assert "````\n¶6 (changed):\nvào tháng 3 [-năm 2024-]{+năm 2025+} ```\n````" in markdown


def test_summary_format_leaves_the_diff_out() -> None:
    message = render_alert(FACTS, full=False)
    for body in (message.text, message.markdown, message.html):
        assert "2024 → 2025" in body
        assert "[-năm 2024-]" not in body and "<del" not in body


def test_a_new_text_quotes_its_first_paragraphs() -> None:
    new = AlertFacts(
        "T", "https://x.example/", "src", "new", 1, SEEN, "joint_statement", excerpt=("One.", "Two.")
    )
    assert "Text:\nOne.\n\nTwo." in render_alert(new).text
    assert "> One." in render_alert(new).markdown


def test_never_an_empty_alert() -> None:
    bare = AlertFacts("T", "https://x.example/", "src", "new", 1, SEEN, "other")
    with pytest.raises(EmptyAlertError):
        render_alert(bare)
    with pytest.raises(EmptyAlertError):
        render_alert(
            AlertFacts("T", "https://x.example/", "src", "changed", 1, SEEN, "x", diff_text="d"), False
        )
    with pytest.raises(EmptyAlertError):
        render_bundle("[communique] digest", "nothing", [])


def test_bundle_lists_each_item_with_its_statement() -> None:
    item = Carrier("tass", "https://tass.ru/1", "Title", "reprint", 0.9, SEEN, "S1")
    message = render_bundle("[communique] daily digest", "1 page:", [item])
    assert (
        "- tass: Title (reprint, of S1, coverage 90%, since 2024-06-20 08:35 UTC)\n  https://tass.ru/1"
        in (message.text)
    )
    assert "(https://tass.ru/1)" in message.markdown
    assert '<a href="https://tass.ru/1">Title</a>' in message.html


@given(st.text())
def test_markdown_escaping_leaves_no_active_character(text: str) -> None:
    escaped = md(text)
    assert not re.search(r"(?<!\\)[`*_\[\]<>#|~]", escaped.replace("\\\\", ""))
