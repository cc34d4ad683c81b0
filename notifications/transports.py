"""One class per channel, each with `notify(message)` returning the provider's id for the message.

A failure raises `TransportError`; `permanent=True` means retrying cannot help (a refused address, a rejected
request) and the delivery is given up; anything else is retried with back-off by the dispatcher.
Transports see only a `Message`: they know nothing of rows, tenants' policy or the domain.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .models import Channel, Notification


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    notification_id: int
    request_id: str
    kind: str
    recipient_name: str
    subject: str
    body: str
    short_text: str
    params: dict = field(default_factory=dict)
    email: str = ""
    mobile: str = ""
    link: str = ""
    webhook_url: str = ""


class Transport:
    channel: str = ""
    # How many sends may go unrecorded before the dispatcher commits their outcome: the window in which a
    # worker killed mid-batch makes a non-idempotent channel send twice (docs/notifications.md). Each
    # commit is a disk flush, so the number trades that window for throughput.
    record_every: int = 50

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release connections held across a batch."""

    def notify(self, message: Message) -> str:
        raise NotImplementedError


class Inbox(Transport):
    """The in-app inbox: delivering is making the row visible in its owner's inbox, for a batch at once."""

    channel = Channel.INBOX
    record_every = 1000

    def notify(self, message: Message) -> str:
        self.notify_many([message])
        return ""

    def notify_many(self, messages: Iterable[Message]) -> None:
        ids = [m.notification_id for m in messages]
        Notification.objects.filter(pk__in=ids, shown_at__isnull=True).update(shown_at=timezone.now())


class Email(Transport):
    """SMTP with one connection per batch; the reply to DATA (e.g. "queued as 4F2A") is the provider id."""

    channel = Channel.EMAIL

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT
        if settings.EMAIL_USE_SSL:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo_or_helo_if_needed()
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def compose(self, message: Message) -> EmailMessage:
        body = message.body
        if message.link:
            body += f"\n\n查看详情：{settings.BANGFU_PUBLIC_URL.rstrip('/')}{message.link}"
        # The Message-ID carries our key, so a mail client can fold the rare duplicate of a retried send.
        headers = {"Message-ID": f"<{message.request_id}@bangfu>"}
        return EmailMessage(message.subject, body, settings.DEFAULT_FROM_EMAIL, [message.email], headers=headers)

    def notify(self, message: Message) -> str:
        if not message.email:
            raise TransportError("没有电子邮箱地址", permanent=True)
        mail = self.compose(message).message()
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            code, reply = self.smtp.mail(settings.DEFAULT_FROM_EMAIL)
            if code >= 300:
                raise smtplib.SMTPSenderRefused(code, reply, settings.DEFAULT_FROM_EMAIL)
            code, reply = self.smtp.rcpt(message.email)
            if code >= 300:
                self.smtp.rset()
                raise TransportError(f"收件地址被拒绝：{code} {_text(reply)}", permanent=code >= 500)
            code, reply = self.smtp.data(mail.as_bytes(linesep="\r\n"))
        except smtplib.SMTPResponseException as e:
            self.close()
            raise TransportError(f"邮件服务器拒绝：{e.smtp_code} {_text(e.smtp_error)}",
                                 permanent=e.smtp_code >= 500) from e
        except (smtplib.SMTPException, OSError) as e:
            self.close()
            raise TransportError(f"无法连接邮件服务器：{e}") from e
        return _text(reply)[:200]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class HttpTransport(Transport):
    """JSON POST with the failure classes every HTTP provider shares."""

    timeout: float = 10

    def post(self, url: str, payload: dict, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return self.post_bytes(url, data, headers or {})

    def post_bytes(self, url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8", **headers})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as e:
            return e.code, _json(e.read())
        except (OSError, http.client.HTTPException) as e:  # refused, reset, timed out, cut short
            raise TransportError(f"无法连接：{getattr(e, 'reason', e)}") from e


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"raw": raw[:200].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"raw": value}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`, hex: the gateway recomputes it to trust the request."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class Sms(HttpTransport):
    """A generic signed JSON POST to an SMS gateway that fronts the vendor (`SMS_GATEWAY_VENDOR`).

    Vendors send pre-approved templates only, so the request names the template id for the kind and its
    parameters; `content` is our rendering of the same text. `request_id` is our de-duplication key: the
    gateway drops a repeat and answers 409 (or 2xx with `"duplicate": true`), which we count as delivered.
    """

    channel = Channel.SMS

    def __init__(self) -> None:
        self.url = settings.SMS_GATEWAY_URL
        self.secret = settings.SMS_GATEWAY_SECRET
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def payload(self, message: Message) -> dict:
        return {
            "request_id": message.request_id,
            "vendor": settings.SMS_GATEWAY_VENDOR,
            "sign_name": settings.SMS_GATEWAY_SIGN_NAME,
            "mobile": message.mobile,
            "template_id": settings.SMS_GATEWAY_TEMPLATES.get(message.kind, ""),
            "params": message.params,
            "content": message.short_text,
        }

    def notify(self, message: Message) -> str:
        if not message.mobile:
            raise TransportError("没有手机号码", permanent=True)
        body = json.dumps(self.payload(message), ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {"X-Request-Id": message.request_id, "X-Timestamp": timestamp,
                   "X-Signature": sign(self.secret, timestamp, body)}
        status, answer = self.post_bytes(self.url, body, headers)
        provider_id = str(answer.get("message_id") or answer.get("request_id") or "")[:200]
        if 200 <= status < 300 or status == 409:
            return provider_id or message.request_id
        reason = str(answer.get("message") or answer.get("error") or answer.get("raw") or "")[:300]
        # 408, 425, 429 and 5xx are the gateway's own trouble: retry. Other 4xx reject this request for good.
        transient = status in (408, 425, 429) or status >= 500
        raise TransportError(f"短信网关返回 {status}：{reason}", permanent=not transient)


# WeCom robot error codes worth a retry: -1 system busy, 45009 frequency limit (20 messages a minute).
WECOM_TRANSIENT = {-1, 45009, 45033}


class WeCom(HttpTransport):
    """The enterprise-WeChat group robot: a text message that @-mentions the recipient by mobile.

    It has no idempotency key, so a retry after a lost answer can post twice (docs/notifications.md).
    """

    channel = Channel.WECOM
    record_every = 1

    def payload(self, message: Message) -> dict:
        text = {"content": f"【{message.subject}】{message.short_text}"}
        if message.mobile:
            text["mentioned_mobile_list"] = [message.mobile]
        return {"msgtype": "text", "text": text}

    def notify(self, message: Message) -> str:
        if not message.webhook_url:
            raise TransportError("未配置企业微信群机器人地址", permanent=True)
        status, answer = self.post(message.webhook_url, self.payload(message))
        if status >= 500 or status == 429:
            raise TransportError(f"企业微信返回 {status}")
        code = answer.get("errcode", 0 if status < 300 else status)
        if code != 0:
            raise TransportError(f"企业微信返回错误 {code}：{answer.get('errmsg', '')}",
                                 permanent=code not in WECOM_TRANSIENT)
        return str(answer.get("errmsg", "ok"))[:200]


TRANSPORTS: dict[str, type[Transport]] = {
    Channel.INBOX: Inbox, Channel.EMAIL: Email, Channel.SMS: Sms, Channel.WECOM: WeCom,
}


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]()

