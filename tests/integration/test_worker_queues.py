"""The order in which a worker takes jobs from the stage queues, on a real Redis."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from communique.model import Stage
from interface.cli.service import WORKER_QUEUES
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


def test_a_job_that_says_queued_but_left_its_queue_is_queued_again(redis_url: str) -> None:
    queue = RedisQueue(redis_url)
    queue.enqueue(Stage.EXTRACT, 2)
    queue.enqueue(Stage.EXTRACT, 2)  # waiting: not queued twice
    extract = queue.queues[Stage.EXTRACT]
    assert extract.job_ids == ["extract-2"]
    # A worker took it off the queue, and Redis died before the job's status changed (a restart from
    # the append-only file keeps both): it says "queued" and is nowhere.
    queue.redis.lpop(extract.key)
    assert extract.fetch_job("extract-2").get_status() == "queued"
    queue.enqueue(Stage.EXTRACT, 2)  # the storage sweep
    assert extract.job_ids == ["extract-2"]
