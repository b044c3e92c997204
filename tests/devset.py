"""The labelled dev set for the matching engine, built from the seeds and real unrelated pages.

Each case is an article (paragraphs, or an HTML page that goes through extraction), the relation it
must get, the corpus texts hidden from the engine for it (to play "unknown"), and the article
paragraphs that must be reported as edited. Used by tests/unit/test_engine.py and
bench/eval_matching.py.
"""

from __future__ import annotations

import functools
import random
import re
import tempfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from communique.model import Relation
from communique.settings import Settings
from communique.text import paragraphs
from storage.database import open_database
from workers.corpus import import_corpus_folder
from workers.corpus_index import CorpusIndex, load

ROOT = Path(__file__).resolve().parent.parent
SEED_FILES = sorted((ROOT / "corpus").glob("*.txt"))
SEED_IDS = {path.name[:3]: path.stem for path in SEED_FILES}

INTRO = "Báo Thời Đại xin trân trọng giới thiệu toàn văn văn kiện dưới đây để bạn đọc tiện theo dõi."
RELATED = ["Xem thêm: Tin tức thời sự trong ngày", "Đọc thêm các bài viết liên quan tại chuyên mục Thế giới"]
ADDED = (
    "Hai bên nhất trí thành lập Nhóm công tác chung về hợp tác trong lĩnh vực trí tuệ nhân tạo và "
    "bán dẫn, họp định kỳ mỗi năm hai lần luân phiên tại Hà Nội và Moskva."
)
PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a> <a href="/kinh-te">Kinh tế</a></nav>
<div class="clock">Thứ Bảy, 10/5/2025 09:41</div></header>
<main><article><h1>{title}</h1><div class="meta">10/05/2025 09:41 | 12.345 lượt xem</div>
<div class="content">{body}</div></article>
<aside class="sidebar"><h3>Đọc nhiều</h3><ul><li><a href="/a">Giá vàng hôm nay tăng mạnh</a></li>
<li><a href="/b">Thời tiết Hà Nội mưa rào</a></li></ul></aside></main>
<footer>© 2025 Báo Thời Đại. Giấy phép số 123/GP-BTTTT. Địa chỉ: 1 Tràng Tiền, Hà Nội.</footer></body></html>
"""


@dataclass(frozen=True)
class Case:
    """One labelled article."""

    name: str
    expected: Relation
    paragraphs: list[str] = field(default_factory=list)
    html: bytes | None = None
    hidden: frozenset[str] = frozenset()
    statement_of: str | None = None  # seed whose statement group the result must name
    edited: tuple[int, ...] = ()  # article paragraphs that must be reported changed or added


def seed_paragraphs() -> dict[str, list[str]]:
    """The seeds' paragraphs, by their three-digit number."""
    return {
        number: paragraphs((ROOT / "corpus" / f"{stem}.txt").read_text(encoding="utf-8"))
        for number, stem in SEED_IDS.items()
    }


def seed_index(folder: Path | None = None) -> CorpusIndex:
    """The seeds imported as on first run (the engine links their statement groups) and indexed.

    Without a folder the index is built once per process (30 s of CPU) and shared: matching only
    reads it."""
    if folder is None:
        return _shared_seed_index()
    return _seed_index(folder)


@functools.cache
def _shared_seed_index() -> CorpusIndex:
    return _seed_index(None)


def _seed_index(folder: Path | None) -> CorpusIndex:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Settings(data_dir=folder or Path(tmp)))
        import_corpus_folder(db, ROOT / "corpus")
        index = load(db)
        db.close()
    return index


def cases(unrelated_pages: list[Path]) -> list[Case]:
    """Every labelled case: per seed variants, the cross-language pair, seeds as unknown, real pages."""
    seeds = seed_paragraphs()
    rng = random.Random(20251122)
    found: list[Case] = []
    for number, body in seeds.items():
        found.extend(_variants(number, body, rng))
    found += [
        Case(
            "002 vs 000 (vi excerpt of a no translation)",
            Relation.TRANSLATION,
            seeds["002"],
            hidden=frozenset({SEED_IDS["002"]}),
            statement_of="000",
        ),
        Case(
            "000 vs 002 (no translation of a vi excerpt)",
            Relation.TRANSLATION,
            seeds["000"],
            hidden=frozenset({SEED_IDS["000"]}),
            statement_of="002",
        ),
        Case("001 quoted in a news article", Relation.MENTION, _quoted(seeds["001"]), statement_of="001"),
        Case(
            "001 unknown (June 2024 statement)",
            Relation.NEW,
            seeds["001"],
            hidden=frozenset({SEED_IDS["001"]}),
        ),
        Case(
            "004 unknown (TASS on an unknown statement)",
            Relation.NEW,
            seeds["004"],
            hidden=frozenset({SEED_IDS["004"]}),
        ),
    ]
    found += [
        Case(f"unrelated {page.name}", Relation.UNRELATED, html=page.read_bytes()) for page in unrelated_pages
    ]
    return found


def _variants(number: str, body: list[str], rng: random.Random) -> list[Case]:
    """Reprint (text and HTML), excerpt, a number edited, a paragraph added, two paragraphs swapped."""
    middle = len(body) // 2
    excerpt = [INTRO, *body[: max(3, int(len(body) * 0.4))]]
    with_number = [
        i for i in range(1, len(body) - 1) if re.search(r"\d", body[i]) and len(body[i].split()) >= 12
    ]
    cases = [
        Case(f"{number} reprint", Relation.REPRINT, [INTRO, *body, *RELATED], statement_of=number),
        Case(f"{number} reprint in a page", Relation.REPRINT, html=_page(body), statement_of=number),
        Case(f"{number} excerpt", Relation.EXCERPT, excerpt, statement_of=number),
        Case(
            f"{number} paragraph added",
            Relation.CHANGED,
            [*body[:middle], ADDED, *body[middle:]],
            statement_of=number,
            edited=(middle,),
        ),
        Case(
            f"{number} two paragraphs swapped", Relation.REPRINT, _swapped(body, middle), statement_of=number
        ),
    ]
    if with_number:
        i = rng.choice(with_number)
        edited = list(body)
        edited[i] = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), edited[i], count=1)
        cases.append(
            Case(f"{number} number edited", Relation.CHANGED, edited, statement_of=number, edited=(i,))
        )
    return cases


def _quoted(statement: list[str]) -> list[str]:
    """A news article of its own that quotes two paragraphs of a statement."""
    return [
        "Phát biểu tại họp báo thường kỳ chiều nay, người phát ngôn Bộ Ngoại giao cho biết hai nước đang "
        "triển khai các thỏa thuận đã đạt được trong chuyến thăm năm ngoái.",
        "Theo người phát ngôn, Tuyên bố chung giữa hai nước nêu rõ:",
        statement[10],
        statement[20],
        "Người phát ngôn cũng trả lời các câu hỏi về tình hình biển Đông, hợp tác kinh tế với các đối tác "
        "châu Âu và công tác bảo hộ công dân Việt Nam ở nước ngoài trong dịp nghỉ lễ sắp tới.",
        "Cuộc họp báo kéo dài khoảng một giờ với sự tham dự của đông đảo phóng viên trong và ngoài nước.",
    ]


def _swapped(body: list[str], middle: int) -> list[str]:
    swapped = list(body)
    swapped[middle], swapped[middle + 1] = swapped[middle + 1], swapped[middle]
    return swapped


def _page(body: list[str]) -> bytes:
    inner = "".join(f"<p>{escape(p)}</p>" for p in body)
    return PAGE.format(title=escape(body[0][:80]), body=inner).encode("utf-8")
