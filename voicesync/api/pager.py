"""Walking the voice list: a bare array, or pages said by ``next``, ``total`` or offsets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from voicesync.errors import BadResponseError

PAGE_SIZE = 100
MAX_PAGES = 10_000


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
            end = start + len(items)
            # Ask for full pages: the first request carried no limit, so it got the default.
            more = {"limit": max(limit, PAGE_SIZE), "offset": end}
            return (None, more) if end < total else None
        if "next" in data or fresh == 0 or len(items) < max(self.largest, limit):
            return None
        self.largest = max(self.largest, len(items))
        return None, {"limit": limit or PAGE_SIZE, "offset": self.received}

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
