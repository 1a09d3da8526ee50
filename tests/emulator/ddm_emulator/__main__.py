# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: ``python -m ddm_emulator --port 0 --port-file FILE [...]`` (run with tests/emulator on sys.path)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import ssl
import sys
import threading

from .gateway import make_verifier
from .model import DEMO_JOB_IDS
from .server import EmulatorApp, build_server
from .state import EmulatorState


def loopback_address(host):
    """Return (address, family) for a loopback host or raise ValueError."""
    if host == "localhost":
        host = "127.0.0.1"
    address = ipaddress.ip_address(host)
    if not address.is_loopback:
        raise ValueError("refusing to bind %s: the emulator only listens on loopback addresses" % host)
    return str(address), socket.AF_INET6 if address.version == 6 else socket.AF_INET


def parse_args(argv):
    epilog = "demo jobs (--seed-demo): " + ", ".join("%s=%s" % item for item in DEMO_JOB_IDS.items())
    parser = argparse.ArgumentParser(prog="python -m ddm_emulator", description="Loopback emulator of the Huawei Cloud DDM task API and IAM.",
                                     epilog=epilog)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind, 0 picks a free one (default 0)")
    parser.add_argument("--port-file", help="write the bound port to this file once ready")
    parser.add_argument("--verifier", choices=("auto", "sdk", "builtin"), default="auto",
                        help="AK/SK signature check: the official SDK signer (sdk), the builtin one, or sdk when importable (auto)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key for --tls-cert (PEM)")
    parser.add_argument("--seed-demo", action="store_true", help="pre-create the demo jobs listed below")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def write_port_file(path, port):
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        handle.write("%d\n" % port)
    os.replace(temporary, path)


def serve(server, port_file):
    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    worker.start()
    if port_file:
        write_port_file(port_file, server.server_address[1])
    sys.stderr.write("ddm-emulator: serving %s (verifier %s)\n" % (server.app.base_url, server.app.verifier.name))
    while not stop.wait(0.5):
        pass
    server.app.stopping.set()
    server.shutdown()
    server.server_close()
    remove_port_file(port_file, server.server_address[1])


def remove_port_file(path, port):
    """Remove the port file unless something else has replaced it meanwhile."""
    if not path:
        return
    try:
        with open(path) as handle:
            ours = handle.read().strip() == str(port)
        if ours:
            os.unlink(path)
    except OSError:
        pass


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        address, family = loopback_address(args.host)
        app = EmulatorApp(EmulatorState(seed_demo=args.seed_demo), make_verifier(args.verifier), args.verbose)
        server = build_server(app, address, args.port, family, args.tls_cert, args.tls_key)
    except ImportError:
        sys.stderr.write("ddm-emulator: --verifier sdk needs huaweicloudsdkcore, which is not importable\n")
        return 2
    except (ValueError, OSError, ssl.SSLError) as exc:
        sys.stderr.write("ddm-emulator: %s\n" % exc)
        return 2
    serve(server, args.port_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
