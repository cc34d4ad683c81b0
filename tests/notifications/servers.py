"""Real servers the notification tests start: an SMTP server process and an HTTP SMS/WeCom gateway.

The gateway stands in for the vendor (the edge of the world): it checks each request's HMAC signature and
body, drops a repeated request id the way vendors do, and can be told to fail the next requests.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import mailbox
import random
import smtplib
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORTS = range(18500, 18600)  # this area's share of the machine's ports
ROOT = Path(__file__).resolve().parents[2]


def candidate_ports() -> list[int]:
    """Free ports of our range in random order: other checkouts may run these same tests at once."""
    ports = list(PORTS)
    random.shuffle(ports)
    free = []
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            free.append(port)
    return free


def free_port() -> int:
    for port in candidate_ports():
        return port
    raise RuntimeError("no free port in 18500-18599")


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


@dataclass
class SmtpServer:
    port: int
    maildir: Path
    process: subprocess.Popen

    def messages(self) -> list:
        return list(mailbox.Maildir(self.maildir, create=False))

    @staticmethod
    def subject(message) -> str:
        return str(make_header(decode_header(message["Subject"])))


def answers_for(port: int, folder: Path, timeout: float = 15) -> bool:
    """The listener is ours, not a neighbour's that took the port first: it names our maildir."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                return smtp.verify("probe")[1].decode() == str(folder)
        except (OSError, smtplib.SMTPException):
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def smtp_server(folder: Path):
    """`python -m aiosmtpd` as its own process, with our maildir handler."""
    mailbox.Maildir(folder, create=True)  # with its cur/new/tmp, so reading before the first mail works
    for port in candidate_ports():
        process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
             "tests.notifications.smtp_sink.Maildir", str(folder)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            if answers_for(port, folder):
                yield SmtpServer(port, folder, process)
                return
        except RuntimeError:
            pass
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(10)
    raise RuntimeError("could not start the SMTP server on any port of 18500-18599")


@dataclass
class Gateway:
    """What the fake vendor saw: every request, and the SMS it accepted (one per request id)."""

    port: int
    secret: str
    requests: list[dict] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)  # request id -> our message id
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses for the next SMS requests
    wecom_errcodes: list[int] = field(default_factory=list)
    on_accept: object = None  # called after an SMS is accepted and before the answer goes out
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sms_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms/send"

    @property
    def wecom_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key=test-robot"

    def sms(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/sms/send"]

    def wecom(self) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith("/cgi-bin/webhook/send")]

    def answer_sms(self, headers, raw: bytes) -> tuple[int, dict]:
        expected = hmac.new(self.secret.encode(), headers.get("X-Timestamp", "").encode() + b"." + raw,
                            hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            return 401, {"message": "bad signature"}
        body = json.loads(raw)
        missing = [k for k in ("request_id", "vendor", "mobile", "template_id", "params", "content") if k not in body]
        if missing or body["request_id"] != headers.get("X-Request-Id"):
            return 400, {"message": f"bad request {missing}"}
        with self.lock:
            if self.fail_next:
                return self.fail_next.pop(0), {"message": "gateway trouble"}
            if body["request_id"] in self.accepted:
                return 409, {"message_id": self.accepted[body["request_id"]], "duplicate": True}
            self.accepted[body["request_id"]] = f"SM{len(self.accepted) + 1:06d}"
            message_id = self.accepted[body["request_id"]]
        if self.on_accept is not None:
            self.on_accept(body)
        return 200, {"code": "OK", "message_id": message_id}

    def answer_wecom(self, raw: bytes) -> tuple[int, dict]:
        body = json.loads(raw)
        if body.get("msgtype") != "text" or not isinstance(body.get("text", {}).get("content"), str):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        with self.lock:
            code = self.wecom_errcodes.pop(0) if self.wecom_errcodes else 0
        return 200, {"errcode": code, "errmsg": "ok" if code == 0 else "error"}


def _handler(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with gateway.lock:
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)})
            if self.path == "/sms/send":
                status, answer = gateway.answer_sms(self.headers, raw)
            elif self.path.startswith("/cgi-bin/webhook/send"):
                status, answer = gateway.answer_wecom(raw)
            else:
                status, answer = 404, {}
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client is gone (a killed worker): the vendor has the message all the same

        def log_message(self, *args):
            pass

    return Handler


@contextlib.contextmanager
def gateway_server(secret: str = "gateway-secret"):
    for port in candidate_ports():
        gateway = Gateway(port=port, secret=secret)
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(gateway))
            break
        except OSError:
            continue  # taken since we looked
    else:
        raise RuntimeError("no free port in 18500-18599")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
