# The composition root loads the Celery app so `shared_task` and send-by-name use it in every process.
from workers.app import app as celery_app

__all__ = ["celery_app"]
