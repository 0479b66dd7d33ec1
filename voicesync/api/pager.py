"""Walking the voice list: a bare array, or pages said by ``next``, ``total`` or offsets."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urljoin, urlsplit

from voicesync.api.failures import API_PREFIX
from voicesync.errors import BadResponseError

PAGE_SIZE = 100
MAX_PAGES = 10_000
LIST_CONCURRENCY = 8  # list pages fetched at once, once the list says how many there are
LIST_PATH = f"{API_PREFIX}/voices"
Step = tuple[str | None, dict[str, int] | None]


def list_items(data: Any, path: str) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in ("voices", "data", "items", "results"):
            if isinstance(data.get(key), list):
                return list(data[key])
    raise BadResponseError(
        "the voice list is neither a JSON array nor an object holding one",
        method="GET",
        path=path,
    )


class Pager:
    """Where the next page of the voice list is, from what the pages so far said.

    A bare array is the whole list. An object is followed by its ``next`` link (same origin
    only: the key is never sent elsewhere), else by ``total`` with ``offset``; when neither
    settles it, pages are asked for by offset until one is empty, shorter than the largest page
    seen, or brings no voice not already seen (a server that ignores the offset).
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.received = 0
        self.largest = 0
        self.ids: set[str] = set()

    def after(
        self, data: Any, items: list[Any], path: str
    ) -> tuple[str | None, dict[str, int] | None] | None:
        """(url, None) or (None, params) for the next page; None when the list is complete."""
        if not isinstance(data, Mapping) or not items:
            return None
        fresh = self._count_fresh(items)
        start = _whole(data.get("offset"), self.received)
        self.received += len(items)
        nxt = data.get("next")
        if isinstance(nxt, str) and nxt:
            return self._same_origin(nxt, path), None
        limit = _whole(data.get("limit"), 0)
        total = _whole(data.get("total"), -1)
        if total >= 0:
            if fresh == 0 and self.received > len(items):
                raise BadResponseError(
                    "the voice list gave the same voices again at another offset (it ignores "
                    "'offset' but says there are more): voicesync cannot see the whole account",
                    method="GET",
                    path=path,
                    hint="report this to voice.ai; a list that hides voices could make apply "
                    "clone a voice that already exists",
                )
            end = start + len(items)
            # Ask for full pages: the first request carried no limit, so it got the default.
            more = {"limit": max(limit, PAGE_SIZE), "offset": end}
            return (None, more) if end < total else None
        if "next" in data or fresh == 0 or len(items) < max(self.largest, limit):
            return None
        self.largest = max(self.largest, len(items))
        return None, {"limit": limit or PAGE_SIZE, "offset": self.received}

    def fan_out(self, data: Any, items: list[Any], asked: int) -> list[dict[str, int]] | None:
        """Every page still to fetch, when ``total`` tells them all: offsets that can be asked
        for at once, in full pages (the size asked for, if all of it came; the server's own
        default page, when it is at least 100). None when the list must be walked page by page
        (``next`` links, no total, a page cut short, a small default page)."""
        if not isinstance(data, Mapping) or isinstance(data.get("next"), str):
            return None
        total = _whole(data.get("total"), -1)
        start = _whole(data.get("offset"), -1)
        if total < 0 or start < 0 or not items:
            return None
        if asked:
            if len(items) != asked:
                return None  # the server pages otherwise: one page at a time
            page = asked
        elif len(items) >= PAGE_SIZE:  # the server's default page is a full one
            page = len(items)
        else:  # a small default page: the next one, asked for in full, shows whether a
            return None  # cap stands in the way before any request runs beside another
        end = start + len(items)
        return [{"limit": page, "offset": o} for o in range(end, total, page)]

    def _count_fresh(self, items: list[Any]) -> int:
        ids = {str(i.get("voice_id")) for i in items if isinstance(i, Mapping)}
        fresh = len(ids - self.ids)
        self.ids |= ids
        return fresh

    def _same_origin(self, link: str, path: str) -> str:
        url = urljoin(self.base_url + "/", link)
        here, there = urlsplit(self.base_url), urlsplit(url)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise BadResponseError(
                f"the voice list's next link points to another origin "
                f"({there.scheme}://{there.netloc}); voicesync does not send the API key there",
                method="GET",
                path=path,
                hint="is the base URL right? a proxy may be rewriting the API's answers",
            )
        return url


def _whole(value: object, default: int) -> int:
    """``value`` when it is a whole number (not a bool), else ``default``."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok and isinstance(value, int) else default


class ListWalk:
    """Every item of every page, fetched with ``fetch(params=..., url=...)``.

    The first request carries no query parameter (nothing first-party sends one); later pages
    follow what the answers say (see :class:`Pager`). Once a full page of the size asked for
    came back with a ``total``, the remaining offsets are known: they are fetched
    ``concurrency`` at a time (a 5,000-voice account is 50 pages: 50 round trips one after
    another, or 7). If one of them comes back short or with another total, the list moved or
    the server pages otherwise: the walk goes on one page at a time from there.
    """

    def __init__(self, base_url: str, fetch: Callable[..., Any]) -> None:
        self._pager = Pager(base_url)
        self._fetch = fetch
        self.requests = 0

    def items(self, concurrency: int = 1) -> Iterator[Any]:
        step: Step | None = (None, None)
        for _ in range(MAX_PAGES):
            assert step is not None
            url, params = step
            data = self._fetch(params=params, url=url)
            self.requests += 1
            items = list_items(data, LIST_PATH)
            yield from items
            asked = (params or {}).get("limit", 0)
            rest = self._pager.fan_out(data, items, asked) if concurrency > 1 else None
            if rest:
                step = yield from self._at_once(data, rest, concurrency)
            else:
                step = self._pager.after(data, items, LIST_PATH)
            if step is None:
                return
        raise BadResponseError(
            f"the voice list did not end after {MAX_PAGES} pages", method="GET", path=LIST_PATH
        )

    def _at_once(
        self, first: Any, rest: list[dict[str, int]], concurrency: int
    ) -> Generator[Any, None, Step | None]:
        """Fetch ``rest`` concurrently and yield their items in order; the next step when the
        pages did not add up (None when the list is complete)."""
        total = first.get("total")
        with ThreadPoolExecutor(max_workers=min(concurrency, len(rest))) as pool:
            pages = list(pool.map(lambda q: self._fetch(params=q, url=None), rest))
        self.requests += len(pages)
        for params, data in zip(rest, pages, strict=True):
            items = list_items(data, LIST_PATH)
            yield from items
            step = self._pager.after(data, items, LIST_PATH)
            reached_end = params["offset"] + len(items) >= total
            agrees = isinstance(data, Mapping) and data.get("total") == total
            if not agrees or (len(items) != params["limit"] and not reached_end):
                return step  # the rest, page by page, from here
        return None
