"""The order in which a worker takes jobs from the stage queues, on a real Redis."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from communique.cli.service import WORKER_QUEUES
from communique.model import Stage
from workers.queue import RedisQueue

pytestmark = pytest.mark.redis


def test_worker_finishes_work_in_flight_before_extracting_new_pages(redis_url: str) -> None:
    queue = RedisQueue(redis_url)
    for item_id in (1, 2, 3):
        queue.enqueue(Stage.EXTRACT, item_id)  # a backlog of fetched pages ...
    queue.enqueue(Stage.MATCH, 7)  # ... behind a version to match and an alert to send
    queue.enqueue(Stage.NOTIFY, 9)
    worker = SimpleWorker(WORKER_QUEUES, connection=Redis.from_url(redis_url), serializer=JSONSerializer)
    taken = []
    for _ in range(5):
        found = worker.dequeue_job_and_maintain_ttl(timeout=1)
        assert found is not None
        taken.append(found[0].id)
    assert taken == ["notify-9", "match-7", "extract-1", "extract-2", "extract-3"]
    assert set(WORKER_QUEUES) == {stage.value for stage in Stage}
