# gunicorn for Bangfu behind nginx: `gunicorn -c deploy/gunicorn.conf.py backend.bangfu.wsgi`
import multiprocessing
import os

bind = os.environ.get("BANGFU_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BANGFU_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = "127.0.0.1"
