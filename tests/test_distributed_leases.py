"""The Redis side of a shared crawl, against a real redis-server: leases, dead workers, seeding,
and the politeness token.

The checks run in the workers' Python (redis-py >= 4.2, see tests/distributed_site.py); they
print what they saw as JSON and the assertions are made here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.distributed_site import redis_python, redis_server

CHECKS = r"""
import asyncio, json, sys, time
from archiver.distributed.coordination import Coordinator, Keys, connect
from archiver.distributed.politeness import PolitenessGate

server = connect(sys.argv[1])
keys = Keys("t")
a = Coordinator(server, keys, "a", lease_timeout=1.0)
b = Coordinator(server, keys, "b", lease_timeout=1.0)
out = {}
out["first_seed_fresh"] = a.seed(["http://x.example/"], {"since": "2019-01"})[1]
out["second_seed_fresh"] = a.seed(["http://y.example/"], {})[1]
out["claimed_by_a"] = a.claim_unstarted()
out["claimed_by_b"] = b.claim_unstarted()
out["options"] = a.site_options("http://x.example/")
a.register()
b.register()
for name, score in (("r0", -1), ("r1", 0), ("r2", -2)):
    server.zadd(keys.requests, {name: score})
lease_a, lease_b = a.pop(), b.pop()
out["popped"] = [lease_a[1].decode(), lease_b[1].decode()]
out["queued_after_pops"], out["leased_after_pops"] = a.queued(), a.leased()
a.release([lease_a[0]])
out["leased_after_release"] = a.leased()
out["idle_with_work"] = a.idle()
time.sleep(1.3)  # b stops renewing its liveness key: it is dead after the lease timeout
a.heartbeat()
out["requeued"] = a.requeue_dead()
out["queue_after_requeue"] = sorted(m.decode() for m in server.zrange(keys.requests, 0, -1))
out["leased_after_requeue"] = a.leased()
out["live"] = a.live_workers()
server.delete(keys.requests)
out["idle_when_done"] = a.idle()
out["third_seed_fresh"] = a.seed(["http://x.example/"], {})[1]  # a is still alive: joined
a.unregister()
out["fourth_seed_fresh"] = a.seed(["http://x.example/"], {})[1]


async def politeness():
    gate = PolitenessGate(a, delay=0.2, concurrency=1, timeout=5)
    t0 = time.monotonic()
    token1, _ = await gate.acquire("host", 0.0)
    async def later_release():
        await asyncio.sleep(0.05)
        gate.release("host", token1)
    release = asyncio.ensure_future(later_release())
    token2, waited_delay = await gate.acquire("host", 0.0)  # concurrency free at 0.05, delay at 0.2
    await release
    gate_open = PolitenessGate(a, delay=0.0, concurrency=1, timeout=5)
    async def release2():
        await asyncio.sleep(0.15)
        gate_open.release("host2", first)
    first, _ = await gate_open.acquire("host2", 0.0)
    task = asyncio.ensure_future(release2())
    _, waited_place = await gate_open.acquire("host2", 0.0)
    await task
    unlimited = PolitenessGate(a, delay=0.0, concurrency=0, timeout=5)
    _, waited_own_delay = await unlimited.acquire("host3", 0.1)  # the worker's own delay counts
    _, waited_own_delay2 = await unlimited.acquire("host3", 0.1)
    return waited_delay, waited_place, waited_own_delay, waited_own_delay2

out["waits"] = asyncio.run(politeness())
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> dict:
    python = redis_python()
    tmp: Path = tmp_path_factory.mktemp("leases")
    with redis_server(tmp) as url:
        proc = subprocess.run(
            [python, "-c", CHECKS, url], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_seeding_starts_a_crawl_and_joins_a_running_one(checks: dict) -> None:
    assert checks["first_seed_fresh"] is True
    assert checks["second_seed_fresh"] is False, "blogs not started yet: the crawl is running"
    assert checks["claimed_by_a"] == ["http://x.example/", "http://y.example/"]
    assert checks["claimed_by_b"] == [], "each blog is started by one worker"
    assert checks["options"] == {"since": "2019-01"}
    assert checks["third_seed_fresh"] is False, "a live worker: joined, not cleared"
    assert checks["fourth_seed_fresh"] is True, "all done and no worker: a new crawl"


def test_pop_leases_and_release_drops_the_lease(checks: dict) -> None:
    assert checks["popped"] == ["r2", "r0"], "highest priority (lowest score) first"
    assert checks["queued_after_pops"] == 1
    assert checks["leased_after_pops"] == 2
    assert checks["leased_after_release"] == 1
    assert checks["idle_with_work"] is False


def test_a_dead_workers_leases_go_back_to_the_queue(checks: dict) -> None:
    assert checks["requeued"] == 1
    assert checks["queue_after_requeue"] == ["r0", "r1"]
    assert checks["leased_after_requeue"] == 0
    assert checks["live"] == ["a"]
    assert checks["idle_when_done"] is True


def test_politeness_token_waits_for_delay_and_place(checks: dict) -> None:
    waited_delay, waited_place, own_first, own_second = checks["waits"]
    assert 0.18 <= waited_delay < 0.5, "the delay, not just the free place"
    assert 0.13 <= waited_place < 0.5, "no delay: waited for the place to be given back"
    assert own_first < 0.05
    assert 0.08 <= own_second < 0.4, "the worker's own (AutoThrottle, Crawl-delay) delay holds"
