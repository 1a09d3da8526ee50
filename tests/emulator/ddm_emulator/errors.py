# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error answers of the services behind the gateway (DDM, IAM) and of the control API; what every JSON answer shares."""

from __future__ import annotations


JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
IAM_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


class ApiError(Exception):
    """An error response: status, JSON body and extra headers."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def ddm_error(message, code="DBS.280001", status=400):
    return ApiError(status, {"error_code": code, "error_msg": message})


def ddm_v1_error(message, code="DBS.280001", status=400):
    """An error of the DDM v1 and v2 calls, which name their fields differently from v3's."""
    return ApiError(status, {"errCode": code, "externalMessage": message})


def iam_error(status, message):
    return ApiError(status, {"error": {"code": status, "message": message, "title": IAM_TITLES.get(status, "Error")}})


def control_error(message, status=400):
    return ApiError(status, {"error": message})


def with_request_id(body, request_id):
    """A body with "request_id": None (the gateway's shape) gets the response's X-Request-Id."""
    if isinstance(body, dict) and "request_id" in body and body["request_id"] is None:
        return dict(body, request_id=request_id)
    return body
