# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a paged list with guards: every item once, a bounded number of requests, and a reason when cut short."""

from __future__ import annotations

# How the server reads ``offset``: always as an index (skip that many items), or, as some DDM
# pages document it, maybe as a page number.
INDEX = "index"
INDEX_OR_PAGE = "index-or-page"


class PagedListing:
    """The items of a paged list, read lazily, one page in memory at a time.

    ``fetch_page(offset)`` returns ``(items, total)``: the page's items (objects with an ``id``)
    and the list's size, or None when the answer does not say. Reading ends where the first
    page's total says the list ends, at an empty or short page, or after ``max_pages``; a page
    that brings nothing new ends it too. Items are de-duplicated by id. ``truncated`` then says
    why reading stopped before the end, also when the list ended short of the total it gives.

    With ``offsets=INDEX_OR_PAGE``, a page that brings nothing new while the total is not reached
    (the server read the index as a page number) switches to page numbers 1, 2, ...; the first
    numbered page may repeat the first page (numbers may start at 0 or 1).
    """

    def __init__(self, fetch_page, page_size: int, max_pages: int, what: str = "items", offsets: str = INDEX):
        self._fetch_page = fetch_page
        self._page_size = page_size
        self._max_pages = max_pages
        self._what = what
        self._offsets = offsets
        self.truncated = None
        self.seen = 0
        self._latest_total = None

    def __iter__(self):
        seen = set()
        offset = 0
        promised = None
        page_number = None  # set once the server is known to read offset as a page number
        for _page in range(self._max_pages):
            items, total = self._fetch_page(page_number if page_number is not None else offset)
            promised = total if promised is None else promised
            self._latest_total = total if total is not None else self._latest_total
            new = []
            for item in items:  # an item a page repeats in itself counts once too
                if item["id"] not in seen:
                    seen.add(item["id"])
                    new.append(item)
            self.seen = len(seen)
            yield from new
            offset += len(items)
            if not new:
                if self._offsets == INDEX_OR_PAGE and page_number is None and promised is not None and len(seen) < promised:
                    page_number = 1  # the server may read offset as a page number
                    continue
                if not items:
                    self._check_complete(len(seen))
                    return
                if page_number == 1:
                    page_number = 2  # page numbers may start at 0 or at 1: page 1 may be the first page again
                    continue
                where = page_number if page_number is not None else offset - len(items)
                self.truncated = "the page at offset %d repeated %s already read" % (where, self._what)
                return
            if promised is not None and len(seen) >= promised:
                return  # complete only when its unique items reach its total: a page that repeats an item leaves one unread
            if promised is None and len(items) < self._page_size:
                return
            if page_number is not None:
                page_number += 1
        self.truncated = "reading stopped after %d pages (%d %s)" % (self._max_pages, len(seen), self._what)

    def _check_complete(self, count: int) -> None:
        if self._latest_total is not None and count < self._latest_total:
            self.truncated = "it ended after %d of the %d %s its total counts" % (count, self._latest_total, self._what)
