# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side: request handler, fault application, the threaded server and TLS."""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import control
from .errors import JSON_CONTENT_TYPE, ApiError, with_request_id
from .gateway import admit
from .request import Call, log_entry
from .routes import ApiContext, find_route, is_iam_path


MAX_BODY = 1024 * 1024


class BadRequest(Exception):
    """The request could not be read (framing, size)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    """Serves the API, the IAM calls and the control API on one port."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm delays
    # every answer on a kept-alive connection by the peer's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True
    server_version = "DDMEmulator/1.0"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        # The Date header shows the server's own (possibly skewed) clock, as a real gateway's would.
        return super().date_time_string(self.app.state.now() if timestamp is None else timestamp)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_OPTIONS(self):
        self._handle()

    @property
    def app(self):
        return self.server.app

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.app.verbose:
            sys.stderr.write("ddm-emulator: %s %s\n" % (self.address_string(), format % args))

    def send_error(self, code, message=None, explain=None):
        # Malformed requests get a JSON gateway body instead of the stock HTML page (with a status line, even for
        # a request line too broken to name its HTTP version).
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        body = {"error_code": "APIGW.0201", "error_msg": message or "Bad request", "request_id": uuid.uuid4().hex}
        try:
            headers = {"Content-Type": "application/json", "X-Request-Id": body["request_id"], "Connection": "close"}
            self._send(code, json.dumps(body).encode("utf-8"), headers)
        except OSError:
            pass

    def _read_chunked(self):
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise BadRequest(400, "Malformed chunked body")
            total += size
            if total > MAX_BODY:
                raise BadRequest(413, "Request body too large")
            if size == 0:
                self.rfile.readline(1024)
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            raise BadRequest(400, "Invalid Content-Length")
        if int(length) > MAX_BODY:
            raise BadRequest(413, "Request body too large")
        return self.rfile.read(int(length)) if int(length) else b""

    def _send(self, status, data, headers):
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)
        self.wfile.flush()

    def _send_json(self, call, status, body, headers=None, iam=False):
        """Send ``body`` as JSON, or as it is when it is bytes (the metadata service's text answers)."""
        merged = {"Content-Type": JSON_CONTENT_TYPE, "X-Request-Id": call.request_id}
        if iam:
            merged["X-IAM-Trace-Id"] = call.request_id
        merged.update(headers or {})
        data = body if isinstance(body, bytes) else json.dumps(with_request_id(body, call.request_id)).encode("utf-8")
        self._send(status, data, merged)

    def _handle(self):
        try:
            body = self._read_body()
        except BadRequest as exc:
            self.send_error(exc.status, exc.message)
            return
        call = Call(self.command, self.path, self.headers, body)
        try:
            if call.raw_path.startswith("/_emulator/"):
                self._serve_control(call)
            else:
                self._serve_api(call)
        except OSError as exc:
            # The client went away (e.g. it timed out during an injected delay).
            self.close_connection = True
            self.log_message("connection error: %s", exc)
        except Exception as exc:
            # An emulator bug must still answer with a body, never a traceback.
            self.close_connection = True
            sys.stderr.write("ddm-emulator: internal error on %s %s: %s: %s\n" % (call.method, call.raw_path, type(exc).__name__, exc))
            self._send_json(call, 500, {"error_code": "APIGW.0001", "error_msg": "Internal emulator error", "request_id": None})

    def _serve_control(self, call):
        try:
            status, body = self.app.control(call)
        except ApiError as err:
            status, body = err.status, err.body
        self._send_json(call, status, body)

    def _serve_api(self, call):
        entry = log_entry(call)
        self.app.state.record(entry)
        # Standing latencies: the request reaches the service late, and/or its answer leaves late (recorded first, so a test
        # can see from the log that the service has answered).
        before, after, release = self.app.state.latency(call.method, call.raw_path)
        if before or after:
            self.app.state.update_record(entry, latency={"before": before, "after": after})
        if before:
            self._hold(before, release)
        fault = self.app.state.take_fault(call.method, call.raw_path)
        answer = None
        if fault is not None:
            self.app.state.update_record(entry, fault=fault.describe())
            if fault.delay:
                self.app.stopping.wait(fault.delay)
            if fault.apply:
                # The request takes effect; what the client gets is decided below.
                answer = self._api_answer(call)
                self.app.state.update_record(entry, applied_status=answer[0])
            if fault.drop:
                self.close_connection = True
                self.app.state.update_record(entry, status=None)
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            answer = fault.garbled(answer) if fault.garble else fault.answer(call.request_id, call) or answer
        if answer is None:
            answer = self._api_answer(call)
        status, data, headers = answer
        self.app.state.update_record(entry, status=status)
        if after:
            self._hold(after, release)
        if fault is not None and fault.pad_to > len(data):
            data += b" " * (fault.pad_to - len(data))
        if fault is not None and fault.trickle:
            self._send_trickled(status, data, headers, fault.trickle, fault.trickle_part)
        else:
            self._send(status, data, headers)

    def _hold(self, seconds, release):
        """Wait ``seconds``, or less once ``release`` is set (the latencies were cleared) or the server stops."""
        deadline = time.monotonic() + seconds
        while not (release.is_set() or self.app.stopping.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            release.wait(min(left, 0.1))

    def _api_answer(self, call):
        """(status, body bytes, headers) of the API behind the gateway."""
        try:
            status, body, headers = self.app.api(call)
        except ApiError as err:
            status, body, headers = err.status, err.body, err.headers
        merged = {"Content-Type": JSON_CONTENT_TYPE, "X-Request-Id": call.request_id}
        if is_iam_path(call.raw_path):
            merged["X-IAM-Trace-Id"] = call.request_id
        merged.update(headers or {})
        # The metadata service answers some calls with text, given as bytes.
        data = body if isinstance(body, bytes) else json.dumps(with_request_id(body, call.request_id)).encode("utf-8")
        return status, data, merged

    def _send_trickled(self, status, data, headers, rate, part):
        """Send the answer a few bytes at a time, at ``rate`` bytes a second, until done or the client leaves."""
        self.close_connection = True
        lines = ["HTTP/1.1 %d %s" % (status, self.responses.get(status, ("",))[0]), "Server: " + self.version_string(),
                 "Date: " + self.date_time_string(), "Content-Length: %d" % len(data), "Connection: close"]
        lines += ["%s: %s" % (name, value) for name, value in headers.items() if value is not None]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if part == "body":
            self.wfile.write(head)
            self.wfile.flush()
            head = b""
        pending = head + data
        step = max(1, int(rate / 20))  # about 20 writes a second
        while pending and not self.app.stopping.wait(step / rate):
            self.wfile.write(pending[:step])
            self.wfile.flush()
            pending = pending[step:]


class EmulatorApp:
    """What the request handler serves: the API behind the gateway, and the control API."""

    def __init__(self, state, verifier, verbose=False):
        self.state = state
        self.verifier = verifier
        self.verbose = verbose
        self.base_url = ""
        self.stopping = threading.Event()

    def api(self, call):
        """Answer an API call as (status, body, headers); errors raise ApiError."""
        route, args = find_route(call.method, call.raw_path)
        if route.behind_gateway:
            admit(self.state, self.verifier, call, route, args)
        return route.handler(ApiContext(self.state, call, self.base_url), *args)

    def control(self, call):
        """Answer a control call as (status, body); errors raise ApiError."""
        return control.dispatch(self, call)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, app, family=socket.AF_INET):
        self.address_family = family
        self.app = app
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        # One line instead of a traceback: a misbehaving client must not spam the output.
        exc = sys.exc_info()[1]
        sys.stderr.write("ddm-emulator: error serving %s: %s: %s\n" % (client_address[0], type(exc).__name__, exc))


def build_server(app, address, port, family, tls_cert=None, tls_key=None):
    """Bind the server (HTTPS when given a certificate) and tell the app its base URL."""
    server = EmulatorServer((address, port), app, family)
    scheme = "http"
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    host = "[%s]" % address if family == socket.AF_INET6 else address
    app.base_url = "%s://%s:%d" % (scheme, host, server.server_address[1])
    return server
