# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the DDM API classes: the instance URLs, one checked call, one checked list page.

An API class (instances, schemas, accounts, parameters) subclasses :class:`DdmApi` and adds its calls; each call
checks its answer before anything reads it. Requests keep to the client's scope (:meth:`HuaweiCloudClient.within`).
"""

from __future__ import annotations

from urllib.parse import quote

from .._cloud.answers import check_answer, is_count, json_kind, list_problem
from .._cloud.errors import APIError, ResourceBusy

SERVICE = "DDM"
# "Another operation is being performed": answered 409, and seen as 403 too.
BUSY_CODES = frozenset(("DBS.200019", "DBS.212033"))


class DdmApi:
    """Calls of a DDM API through a :class:`HuaweiCloudClient` at ``endpoint``."""

    def __init__(self, client, endpoint: str):
        self.client = client
        self.endpoint = endpoint

    def _url(self, version: str, suffix: str = "") -> str:
        """``<endpoint>/<version>/<project>/instances<suffix>``."""
        return "%s/%s/%s/instances%s" % (self.endpoint, version, self.client.project_id, suffix)

    def _instance_url(self, version: str, instance_id: str, suffix: str = "") -> str:
        """The URL of an instance's ``suffix``."""
        return self._url(version, "/%s%s" % (quote(instance_id, safe=""), suffix))

    def _call(self, method: str, url: str, **options):
        """(the response, its JSON body or ``{}`` when empty); a write refused as busy is a :class:`ResourceBusy`."""
        try:
            response = self.client.request(method, url, service=SERVICE, **options)
        except APIError as exc:
            if exc.code in BUSY_CODES:
                raise ResourceBusy(str(exc)) from None
            raise
        return response, (self.client.decode_json(response, SERVICE) if response.content.strip() else {})

    def _page(self, url: str, offset: int, limit: int, items_key: str, total_key: str, item_problem, params=()) -> tuple:
        """One page of a list at ``url``: (its items under ``items_key``, its total under ``total_key`` or None), checked
        (``item_problem(item, where)`` says what is wrong with an item)."""
        response, body = self._call("GET", url, params=list(params) + [("offset", offset), ("limit", limit)])
        items, total = body.get(items_key), body.get(total_key)
        items = [] if items is None else items
        problem = list_problem(items, items_key, item_problem)
        if problem is None and total is not None and not is_count(total):
            problem = "%s is %s, expected a count" % (total_key, json_kind(total))
        check_answer(SERVICE, problem, response)
        return items, total
