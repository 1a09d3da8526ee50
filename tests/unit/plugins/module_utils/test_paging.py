# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paged lists read with guards: every item once, a bounded number of requests, a reason when cut short."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.paging import INDEX, INDEX_OR_PAGE, PagedListing

ITEMS = [{"id": "i%02d" % n} for n in range(25)]


def by_index(offset):
    return ITEMS[offset:offset + 10], len(ITEMS)


def by_page_from_one(offset):
    page = max(offset, 1)
    return ITEMS[(page - 1) * 10:page * 10], len(ITEMS)


def by_page_from_zero(offset):
    return ITEMS[offset * 10:offset * 10 + 10], len(ITEMS)


def read(server, offsets=INDEX, max_pages=20, total=True):
    asked = []

    def fetch(offset):
        asked.append(offset)
        items, count = server(offset)
        return items, count if total else None
    listing = PagedListing(fetch, 10, max_pages, "instances", offsets)
    return [item["id"] for item in listing], asked, listing.truncated


@pytest.mark.parametrize("server", [by_index, by_page_from_one, by_page_from_zero])
def test_every_item_once_whichever_way_the_server_reads_offset(server):
    ids, asked, truncated = read(server, INDEX_OR_PAGE)
    assert ids == [item["id"] for item in ITEMS] and truncated is None
    assert len(asked) <= 5


def test_index_offsets_stop_at_the_total():
    assert read(by_index) == ([item["id"] for item in ITEMS], [0, 10, 20], None)


def test_a_page_of_items_already_read_ends_reading_with_a_reason():
    ids, asked, truncated = read(lambda offset: (ITEMS[:10], 25))
    assert ids == [item["id"] for item in ITEMS[:10]] and asked == [0, 10]
    assert truncated == "the page at offset 10 repeated instances already read"


def test_a_server_that_repeats_itself_whatever_it_is_asked_costs_a_bounded_number_of_requests():
    ids, asked, truncated = read(lambda offset: (ITEMS[:10], 1000), INDEX_OR_PAGE)
    assert len(ids) == 10 and len(asked) <= 4 and truncated.startswith("the page at offset")


def test_a_list_that_never_ends_stops_after_max_pages():
    counter = iter(range(10 ** 6))
    ids, asked, truncated = read(lambda offset: ([{"id": str(next(counter))} for _n in range(10)], None), max_pages=7)
    assert len(asked) == 7 and len(ids) == 70 and truncated == "reading stopped after 7 pages (70 instances)"


def test_without_a_total_a_short_page_is_the_last():
    ids, asked, _truncated = read(by_index, total=False)
    assert len(ids) == 25 and asked == [0, 10, 20]


def test_a_list_that_ends_short_of_its_total_says_so():
    ids, asked, truncated = read(lambda offset: (ITEMS[offset:offset + 10] if offset < 20 else [], 40))
    assert len(ids) == 20 and asked == [0, 10, 20]
    assert truncated == "it ended after 20 of the 40 instances its total counts"


@pytest.mark.parametrize("offsets", [INDEX, INDEX_OR_PAGE])
def test_a_page_that_repeats_an_item_of_the_page_before_is_cut_short(offsets):
    """The second page starts with the first page's last item: its total is right, so one item is never shown."""
    def server(offset):
        return [ITEMS[9] if item["id"] == "i10" else item for item in ITEMS[offset:offset + 10]], len(ITEMS)
    ids, asked, truncated = read(server, offsets)
    assert len(ids) == 24 and "i10" not in ids and truncated is not None and len(asked) <= 6


def test_a_page_that_repeats_its_own_first_item_is_cut_short():
    def server(offset):
        page = ITEMS[offset:offset + 10]
        return (page[:1] + page[:1] + page[2:]) if offset == 0 else page, len(ITEMS)
    ids, _asked, truncated = read(server)
    assert len(ids) == 24 and truncated == "it ended after 24 of the 25 instances its total counts"
