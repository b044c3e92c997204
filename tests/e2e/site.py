"""A local news site for end-to-end tests: the article text changes by version, its furniture churns."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import random
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from tests.local_server import LocalServer

logger = logging.getLogger(__name__)

CORPUS_FILE = Path(__file__).resolve().parents[2] / "corpus" / "001_cfe805069be26ee0.txt"
ARTICLE_PATH = "/news/tuyen-bo-chung-viet-nga-post123.vnp"
ALERT_PATH = "/alerts"
TITLE = "Toàn văn Tuyên bố chung Việt Nam - Liên bang Nga"
LEAD = (
    "Việt Nam và Liên bang Nga ra Tuyên bố chung về làm sâu sắc hơn quan hệ Đối tác Chiến lược toàn diện "
    "nhân chuyến thăm cấp Nhà nước của Tổng thống Vladimir Putin."
)
PUBLISHED = "2024-06-20T08:15:00+07:00"
CAPTION = "Lễ đón chính thức Tổng thống Liên bang Nga Vladimir Putin tại Phủ Chủ tịch, Hà Nội."
FIGURE_AFTER = 6  # the photo sits after this many body paragraphs
MOST_READ_POOL = (
    "Giá vàng hôm nay tăng mạnh, vượt mốc 80 triệu đồng mỗi lượng",
    "Hà Nội ra mắt tuyến xe buýt điện mới nối trung tâm với sân bay Nội Bài",
    "Đội tuyển Việt Nam công bố danh sách dự vòng loại World Cup",
    "Nắng nóng gay gắt bao trùm Bắc Bộ, nhiệt độ có nơi trên 40 độ C",
    "Ngân hàng Nhà nước điều chỉnh lãi suất điều hành",
    "Thành phố Hồ Chí Minh khởi công cầu Thủ Thiêm 4",
    "Xuất khẩu gạo sáu tháng đầu năm đạt kỷ lục mới",
    "Bộ Giáo dục công bố lịch thi tốt nghiệp trung học phổ thông",
    "Cao tốc Bắc - Nam đoạn qua Nghệ An chính thức thông xe",
    "Giá xăng dầu đồng loạt giảm từ 15 giờ chiều nay",
    "Phát hiện loài lan mới tại Vườn quốc gia Phong Nha - Kẻ Bàng",
    "Du lịch Đà Nẵng đón lượng khách quốc tế tăng gấp đôi",
    "Mưa lớn gây ngập nhiều tuyến phố nội thành Hà Nội",
    "Doanh nghiệp Việt đẩy mạnh xuất khẩu nông sản sang thị trường châu Âu",
    "Khai mạc Lễ hội pháo hoa quốc tế Đà Nẵng năm nay",
)
RELATED = (
    "Cơ sở tốt để thúc đẩy quan hệ hai Quốc hội Việt Nam và Liên bang Nga",
    "Việt Nam và LB Nga nhất trí tăng cường trao đổi, đối thoại chính trị ở tất cả các cấp",
    "Tổng thống Nga Vladimir Putin kết thúc chuyến thăm cấp Nhà nước tới Việt Nam",
)
NAV = {
    1: ("Thời sự", "Thế giới", "Kinh tế", "Xã hội", "Văn hóa", "Thể thao", "Công nghệ"),
    2: ("Chính trị", "Kinh doanh", "Đời sống", "Giải trí", "Sức khỏe", "Du lịch", "Video", "Podcast"),
}

PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title} | Tin Tức Việt</title>
<meta name="csrf-token" content="{token}"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}"><link rel="canonical" href="{url}">
</head><body>{header}<main class="container"><article class="article-detail">
<h1 class="article-title">{title}</h1><div class="article-meta"><span class="author">Minh Anh</span> -
<time datetime="{published}">Thứ Năm, 20/06/2024 08:15 (GMT+7)</time>{meta}</div>
<p class="article-sapo"><strong>{lead}</strong></p>
<div class="article-body">{body}</div>{after_body}</article>{side}</main>{footer}</body></html>
"""
# Page furniture per layout (version 1 uses layout 1, later versions layout 2); every part churns.
LAYOUTS: dict[int, dict[str, str]] = {
    1: {
        "header": """<header class="site-header"><div class="topbar"><span class="clock">{now}</span></div>
<a class="logo" href="/">Tin Tức Việt</a><nav class="main-nav"><ul>{nav}</ul></nav>
<form class="search" action="/tim-kiem"><input type="hidden" name="_csrf" value="{token}">
<input type="text" name="q" placeholder="Tìm kiếm"></form></header>""",
        "meta": """ <span class="views">{views:,} lượt xem</span>""",
        "in_body": """<div class="ads" id="ad-{ad}"><span class="ads-label">Quảng cáo</span>
<a href="/qc?id={ad}"><img src="/banner/{ad}.jpg" alt="Quảng cáo"></a></div>""",
        "after_body": """<section class="box-related"><h3>Tin liên quan</h3><ul>{related}</ul></section>""",
        "side": """<aside class="sidebar"><div class="box-most-read"><h3>Đọc nhiều</h3>
<ol>{most_read}</ol></div></aside>""",
        "footer": """<footer class="site-footer">
<p>© 2024 Báo điện tử Tin Tức Việt. Giấy phép số 123/GP-BTTTT.</p>
<p>Địa chỉ: 79 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội. Điện thoại: 024 3825 2931.</p></footer>""",
    },
    2: {
        "header": """<div id="ads-top"><ins class="adsbygoogle" data-ad-slot="{ad}"></ins></div>
<header id="masthead"><div class="brand"><a href="/">TTV <b>Online</b></a></div>
<nav class="menu-primary"><ul>{nav}</ul></nav><div class="user-bar"><time class="now">{now}</time>
<span class="counter">Đã xem: {views}</span>
<input type="hidden" name="csrf_token" value="{token}"></div></header>""",
        "meta": ' <span class="share">Chia sẻ: <a href="#fb">Facebook</a> <a href="#zalo">Zalo</a></span>',
        "in_body": """<div class="banner-inread" data-zone="zone-{ad}"></div>""",
        "after_body": "",
        "side": """<aside class="col-right"><div class="widget box-most-read">
<div class="widget-title">Xem nhiều nhất</div><ul class="list-news">{most_read}</ul></div>
<div class="widget related"><div class="widget-title">Bài viết liên quan</div><ul>{related}</ul></div>
<div class="banner-right"><iframe src="/ad-frame/{ad}.html" title="Quảng cáo"></iframe></div></aside>""",
        "footer": """<footer id="colophon">
<div class="footer-info">Cơ quan chủ quản: Công ty Truyền thông Việt.
Tổng biên tập: Nguyễn Văn An. Trụ sở: 5 Lê Duẩn, Quận 1, TP Hồ Chí Minh.</div>
<div class="copyright">Bản quyền thuộc về TTV Online. Ghi rõ nguồn khi phát hành lại.</div></footer>""",
    },
}


def _body_paragraphs() -> list[str]:
    """The first 12 paragraphs of the corpus statement (blank-line separated, without the '***' rule)."""
    blocks = (block.strip() for block in CORPUS_FILE.read_text(encoding="utf-8").split("\n\n"))
    return [block for block in blocks if block and block != "***"][:12]


def _links(titles: tuple[str, ...] | list[str], prefix: str) -> str:
    return "".join(
        f'<li><a href="/{prefix}/bai-{i}.vnp">{html.escape(title)}</a></li>' for i, title in enumerate(titles)
    )


class NewsSite(LocalServer):
    """A threaded HTTP server on 127.0.0.1 that serves one versioned article and an apprise json:// sink."""

    PARAGRAPHS: ClassVar[list[str]] = _body_paragraphs()
    EDITED_INDEX: ClassVar[int] = 5  # "... vào tháng 3 năm 2024 ..."
    EDITED_FROM: ClassVar[str] = PARAGRAPHS[EDITED_INDEX]
    EDITED_TO: ClassVar[str] = EDITED_FROM.replace("năm 2024", "năm 2025", 1)
    APPENDED: ClassVar[str] = (
        "Hai bên nhất trí tiếp tục mở rộng hợp tác trong các lĩnh vực năng lượng tái tạo, chuyển đổi số, "
        "giáo dục và đào tạo nguồn nhân lực chất lượng cao, đồng thời giao các bộ, ngành liên quan sớm "
        "xây dựng kế hoạch cụ thể nhằm triển khai hiệu quả các thỏa thuận đã đạt được trong chuyến thăm."
    )
    MOST_READ_POOL: ClassVar[tuple[str, ...]] = MOST_READ_POOL

    def __init__(self) -> None:
        self.version = 1
        self.views = 1000
        self.hits: dict[str, int] = {}
        self.alerts: list[dict[str, Any]] = []
        self.alert_keys: list[str | None] = []  # the Idempotency-Key header of each alert post
        self.alert_delay = 0.0  # seconds the alert sink takes to answer
        self.fail_alerts = False
        self.title = TITLE  # a test may serve a hostile title (it is escaped in the page, as a site does)
        self.extra: list[str] = []  # paragraphs served after the body (a hostile one, say)
        self._lock = threading.Lock()
        self._alert_arrived = threading.Condition(self._lock)
        super().__init__(_handler_for(self), "news-site")
        self.article_url = self.base_url + ARTICLE_PATH
        self.alert_url = self.base_url + ALERT_PATH
        self.apprise_url = f"json://127.0.0.1:{self.port}{ALERT_PATH}"

    def set_version(self, n: int) -> None:
        """Serve version n: 1 original, 2 new furniture, 3 one number edited, 4 one paragraph appended."""
        if n not in (1, 2, 3, 4):
            raise ValueError(f"version must be 1..4, not {n!r}")
        with self._lock:
            self.version = n

    def paragraphs(self, version: int | None = None) -> list[str]:
        """The article body paragraphs of a version (the current one by default)."""
        n = self.version if version is None else version
        body = list(self.PARAGRAPHS)
        if n >= 3:
            body[self.EDITED_INDEX] = self.EDITED_TO
        if n >= 4:
            body.append(self.APPENDED)
        return body + self.extra

    def wait_for_alerts(self, n: int, timeout: float) -> list[dict[str, Any]]:
        """Block until at least n alerts arrived; raise TimeoutError otherwise."""
        with self._alert_arrived:
            if not self._alert_arrived.wait_for(lambda: len(self.alerts) >= n, timeout):
                raise TimeoutError(f"{len(self.alerts)} alert(s) arrived within {timeout}s, wanted {n}")
            return list(self.alerts)

    def count_hit(self, path: str) -> None:
        """Count one request for path and wake waiters."""
        with self._alert_arrived:
            self.hits[path] = self.hits.get(path, 0) + 1
            self._alert_arrived.notify_all()

    def wait_for_hits(self, path: str, n: int, timeout: float) -> None:
        """Block until path was requested at least n times; raise TimeoutError otherwise."""
        with self._alert_arrived:
            if not self._alert_arrived.wait_for(lambda: self.hits.get(path, 0) >= n, timeout):
                raise TimeoutError(
                    f"{path} requested {self.hits.get(path, 0)} time(s) in {timeout}s, wanted {n}"
                )

    def record_alert(self, alert: dict[str, Any]) -> None:
        """Store one alert posted by apprise and wake waiters."""
        with self._alert_arrived:
            self.alerts.append(alert)
            self._alert_arrived.notify_all()

    def render_article(self) -> str:
        """The article page of the current version, with freshly churned furniture."""
        with self._lock:
            self.views += 1
            views, version = self.views, self.version
        layout = 1 if version == 1 else 2
        churn = {
            "now": dt.datetime.now().isoformat(sep=" ", timespec="microseconds"),
            "views": views,
            "token": secrets.token_urlsafe(32),
            "ad": secrets.token_hex(6),
            "nav": _links(NAV[layout], f"muc-{layout}"),
            "most_read": _links(random.sample(MOST_READ_POOL, 5), f"doc-nhieu-{layout}"),
            "related": _links(RELATED, f"lien-quan-{layout}"),
        }
        parts = {name: template.format(**churn) for name, template in LAYOUTS[layout].items()}
        body = [f"<p>{html.escape(p)}</p>" for p in self.paragraphs(version)]
        body[FIGURE_AFTER:FIGURE_AFTER] = [
            f'<figure class="photo"><img src="/images/putin-ha-noi.jpg" alt="{html.escape(CAPTION)}">'
            f"<figcaption>{html.escape(CAPTION)}</figcaption></figure>",
            parts.pop("in_body"),
        ]
        return PAGE.format(
            title=html.escape(self.title),
            lead=html.escape(LEAD),
            published=PUBLISHED,
            url=self.article_url,
            token=churn["token"],
            body="\n".join(body),
            **parts,
        )


def _handler_for(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one site."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            site.count_hit(path)
            if path == ARTICLE_PATH:
                self._send(HTTPStatus.OK, site.render_article().encode(), "text/html; charset=utf-8")
            elif path == "/robots.txt":
                self._send(HTTPStatus.OK, b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
            else:
                self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8")

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            site.count_hit(path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if path != ALERT_PATH:
                self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8")
                return
            if site.fail_alerts:
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"failing on purpose\n", "text/plain")
                return
            try:
                alert = json.loads(raw)
            except ValueError:
                alert = None
            # apprise's json:// POSTs application/json {"version", "title", "message", "attachments", "type"}
            if (
                self.headers.get_content_type() != "application/json"
                or not isinstance(alert, dict)
                or not {"version", "title", "message", "type"} <= alert.keys()
            ):
                self._send(HTTPStatus.BAD_REQUEST, b"expected an apprise JSON payload\n", "text/plain")
                return
            site.alert_keys.append(self.headers.get("Idempotency-Key"))
            site.record_alert(alert)
            time.sleep(site.alert_delay)  # a slow receiver: the post has arrived, the answer is late
            self._send(HTTPStatus.OK, b"{}", "application/json")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("news site: " + format, *args)

    return Handler
