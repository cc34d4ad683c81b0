"""Notification throughput: N reminders from rows to delivered (inbox + e-mail to an SMTP sink), through
Redis and a real Celery worker, next to Celery's own no-op task rate on the same broker and worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_notify \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/10 REDIS_URL=redis://127.0.0.1:6379/9 \\
    .venv/bin/python bench/notify.py --n 2000 [--concurrency 2] [--port 18590]

It migrates the database it is given, uses a tenant of its own (code `bench-notify`, replaced on each run),
starts `python -m aiosmtpd` with the Sink handler and one Celery worker (prefork) consuming `notifications`
and `default`, and prints:
- no-op: N `system.ping` tasks published and consumed (results ignored but the last) — Celery's ceiling,
  measured just before and just after each notify run (the machine is shared; the mean is the reference);
- notify: N reminders made by notify() in one transaction (as the engine does), then the time from commit
  to every inbox row shown and every e-mail accepted by the SMTP server; reminders per second of that.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.bangfu.settings")


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def worker(env: dict, concurrency: int, log: Path) -> subprocess.Popen:
    process = start([sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", "notifications,default",
                     "-P", "prefork", "-c", str(concurrency), "-n", "bench-notify@%h", "--without-heartbeat",
                     "--without-gossip", "--without-mingle", "-l", "WARNING"], env, log)
    from workers.app import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"bench-notify@{socket.gethostname()}"], timeout=0.5):
            return process
        if process.poll() is not None:
            break
    stop(process)
    raise SystemExit(f"worker did not start:\n{log.read_text()[-2000:]}")


def prepare(n_users: int):
    """A tenant of the bench's own, with no SMS quiet hours and logins that have e-mail addresses."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from backend.tenancy.models import Policy, Tenant
    from notifications.models import Delivery, DeliveryAttempt, Notification

    tenant, _ = Tenant.objects.get_or_create(code="bench-notify", defaults={"name": "压测市"})
    DeliveryAttempt.objects.filter(tenant=tenant).delete()
    Delivery.objects.filter(tenant=tenant).delete()
    Notification.objects.filter(tenant=tenant).delete()
    from django.db import connection

    if connection.vendor == "postgresql":  # clear the previous round's dead rows, as autovacuum would in time
        with connection.cursor() as cursor:
            for table in ("notifications_deliveryattempt", "notifications_delivery", "notifications_notification"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    if not Policy.objects.filter(tenant=tenant).exists():
        Policy.objects.create(tenant=tenant, sms_quiet_start=dt.time(0), sms_quiet_end=dt.time(0))
    User = get_user_model()
    users = []
    for i in range(n_users):
        user, _ = User.objects.get_or_create(username=f"bench-notify-{i}",
                                             defaults={"email": f"helper{i}@bench.example"})
        users.append(user)
    return tenant, users


def noop_rate(n: int) -> float:
    from workers.app import app

    started = time.perf_counter()
    for _ in range(n - 1):
        app.send_task("system.ping", ignore_result=True)
    last = app.send_task("system.ping")
    last.get(timeout=600, interval=0.01)
    return n / (time.perf_counter() - started)


def notify_rate(n: int, tenant, users) -> tuple[float, float, int]:
    import datetime as dt

    from django.db import transaction

    from notifications.models import Delivery, DeliveryState
    from notifications.services import Recipient, notify

    started = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            user = users[i % len(users)]
            notify(tenant=tenant, recipients=[Recipient(ref=f"user:{user.pk}", name=f"帮扶人{i}", user_id=user.pk,
                                                        email=user.email)],
                   kind="visit_due", key=f"bench:{i}", context={
                       "helper_name": f"帮扶人{i}", "household_name": f"户主{i}", "due_on": dt.date(2018, 5, 31),
                       "days_left": 7, "channel_label": "入户走访"})
    committed = time.perf_counter()
    rows = Delivery.objects.filter(tenant=tenant)
    while rows.filter(state__in=[DeliveryState.PENDING, DeliveryState.SENDING]).exists():
        time.sleep(0.05)  # polls lightly: the machine's cores belong to the worker and the SMTP server
    done = time.perf_counter()
    failed = rows.filter(state=DeliveryState.FAILED)
    if failed.exists():
        raise SystemExit(f"deliveries failed: {list(failed.values_list('detail', flat=True)[:3])}")
    return committed - started, done - committed, rows.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--port", type=int, default=18590, help="for the SMTP sink")
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        raise SystemExit("set CELERY_BROKER_URL to a Redis database (and DATABASE_URL to PostgreSQL)")
    env = {**os.environ, "NOTIFY_EMAIL": "1", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(opts.port),
           "SMS_GATEWAY_URL": "", "WECOM_WEBHOOK_URL": ""}
    os.environ.update({k: env[k] for k in ("NOTIFY_EMAIL", "EMAIL_HOST", "EMAIL_PORT", "SMS_GATEWAY_URL",
                                           "WECOM_WEBHOOK_URL")})

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from workers.app import app

    call_command("migrate", verbosity=0)
    env["BANGFU_DATA_KEY"], env["BANGFU_SECRET_KEY"] = settings.BANGFU_DATA_KEY, settings.SECRET_KEY
    logs = Path(settings.DATA_DIR) / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    app.control.purge()
    smtp = start([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{opts.port}", "-c",
                  "aiosmtpd.handlers.Sink"], env, logs / "smtp.log")
    celery = None
    try:
        wait_for_port(opts.port)
        celery = worker(env, opts.concurrency, logs / "worker.log")
        print(f"N={opts.n}, broker {settings.CELERY_BROKER_URL}, database {settings.DATABASES['default']['ENGINE']}, "
              f"one worker, prefork concurrency {opts.concurrency}")
        noop_rate(min(200, opts.n))  # warm up the pool and the connections
        ratios = []
        for r in range(1, opts.rounds + 1):
            # The machine is shared: the no-op rate is taken just before and just after each notify run.
            before = noop_rate(opts.n)
            tenant, users = prepare(50)
            made, delivered, deliveries = notify_rate(opts.n, tenant, users)
            after = noop_rate(opts.n)
            noop, rate = (before + after) / 2, opts.n / delivered
            ratios.append(rate / noop)
            print(f"round {r}: no-op {before:5.0f}/{after:5.0f} tasks/s | notify: {opts.n} reminders made in "
                  f"{made:5.2f} s ({opts.n / made:4.0f}/s); {deliveries} deliveries (inbox + e-mail) delivered in "
                  f"{delivered:5.2f} s = {rate:5.0f} reminders/s = {rate / noop:4.0%} of the no-op rate")
        print(f"median: {statistics.median(ratios):.0%} of Celery's no-op task rate (goal: 50 %)")
    finally:
        if celery is not None:
            stop(celery)
        stop(smtp)


if __name__ == "__main__":
    main()
