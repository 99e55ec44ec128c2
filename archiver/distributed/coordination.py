"""What the workers of a distributed crawl share in Redis, besides scrapy-redis's queue and filter.

Keys (``<prefix>`` is ``ARCHIVER_REDIS_KEY``, default ``archiver``; pick a Redis database or a
prefix per crawl):

- ``<prefix>:requests`` (sorted set) and ``<prefix>:dupefilter`` (set): scrapy-redis's;
- ``<prefix>:crawl`` (hash): the crawl's id and start time;
- ``<prefix>:sites`` (hash): start URL -> JSON options of each blog (``since``, ``until``);
  ``<prefix>:started`` (hash): start URL -> the worker that queued its start requests;
  ``<prefix>:start-status`` (hash): start URL -> HTTP status of its start page;
- ``<prefix>:leases`` / ``<prefix>:lease-owners`` (hashes): lease id -> the request as queued,
  and -> "worker<TAB>score". A request popped from the queue is leased in the same atomic step
  (a Lua script), and its lease is dropped only once the request is fully handled (its new
  requests queued, its post stored). A worker proves it is alive with
  ``<prefix>:worker:<id>`` (a key that expires after ``ARCHIVER_REDIS_LEASE_TIMEOUT``
  unless renewed); the leases of a worker whose key expired go back into the queue, so a
  SIGKILLed worker loses nothing: its requests are fetched by another worker, or by itself
  once restarted;
- ``<prefix>:polite:<host>`` and ``<prefix>:inflight:<host>``: see ``archiver.distributed.politeness``.

Times are Redis's own (key expiry, ``TIME``): the workers' clocks need not agree.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import time
import uuid
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "archiver"
WORKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# Pop the best request and lease it in one step: a crash between the two cannot lose it.
POP_SCRIPT = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. '\\t' .. top[2])
return top[1]
"""

# Put leases back into the queue (at their priority): those named in ARGV[2..], or with ARGV[1]
# set, every lease of that worker.
REQUEUE_SCRIPT = """
local ids = {}
if ARGV[1] ~= '' then
  local owners = redis.call('HGETALL', KEYS[3])
  for i = 1, #owners, 2 do
    local tab = string.find(owners[i + 1], '\\t', 1, true)
    if tab and string.sub(owners[i + 1], 1, tab - 1) == ARGV[1] then
      table.insert(ids, owners[i])
    end
  end
else
  for i = 2, #ARGV do table.insert(ids, ARGV[i]) end
end
local n = 0
for _, id in ipairs(ids) do
  local data = redis.call('HGET', KEYS[2], id)
  local owner = redis.call('HGET', KEYS[3], id)
  if data and owner then
    local tab = string.find(owner, '\\t', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(owner, tab + 1)), data)
    n = n + 1
  end
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return n
"""


class WorkerIdInUse(RuntimeError):
    """Another live worker already uses this worker id."""


def default_worker_id() -> str:
    """``<host>-<pid>``: unique per process, so a restarted worker never mistakes an old lease."""
    import os

    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}"


def check_worker_id(value: str) -> str:
    """A worker id safe in Redis keys and file names (letters, digits, ``_.-``; at most 64)."""
    if not WORKER_ID.match(value):
        raise ValueError(
            f"worker id {value!r}: use letters, digits, '_', '.' and '-' (at most 64 characters)"
        )
    return value


def check_prefix(value: str) -> str:
    """A key prefix without the characters scrapy-redis would read as formatting."""
    if not value or "%" in value or not value.isprintable() or " " in value:
        raise ValueError(f"Redis key prefix {value!r}: use a short name such as 'archiver'")
    return value


@dataclass(frozen=True)
class Keys:
    """The Redis key names of one crawl."""

    prefix: str = DEFAULT_PREFIX

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def crawl(self) -> str:
        return f"{self.prefix}:crawl"

    @property
    def sites(self) -> str:
        return f"{self.prefix}:sites"

    @property
    def started(self) -> str:
        return f"{self.prefix}:started"

    @property
    def start_status(self) -> str:
        return f"{self.prefix}:start-status"

    @property
    def leases(self) -> str:
        return f"{self.prefix}:leases"

    @property
    def lease_owners(self) -> str:
        return f"{self.prefix}:lease-owners"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    def worker(self, worker_id: str) -> str:
        return f"{self.prefix}:worker:{worker_id}"

    def months(self, start_url: str) -> str:
        return f"{self.prefix}:months:{start_url}"

    def polite(self, slot: str) -> str:
        return f"{self.prefix}:polite:{slot}"

    def inflight(self, slot: str) -> str:
        return f"{self.prefix}:inflight:{slot}"


class SharedMonths(MutableMapping[str, str]):
    """A blog's monthly archives ("YYYY-MM" -> URL) as all workers found them (a Redis hash),
    so that every worker fills in a post's ``archive.url`` as a single crawl would."""

    def __init__(self, server: Any, key: str) -> None:
        self.server = server
        self.key = key
        self.local: dict[str, str] = {}

    def __getitem__(self, month: str) -> str:
        if month not in self.local:
            value = self.server.hget(self.key, month)
            if value is None:
                raise KeyError(month)
            self.local[month] = _text(value)
        return self.local[month]

    def __setitem__(self, month: str, url: str) -> None:
        self.local[month] = url
        self.server.hset(self.key, month, url)

    def __delitem__(self, month: str) -> None:
        self.local.pop(month, None)
        self.server.hdel(self.key, month)

    def __iter__(self) -> Iterator[str]:
        self.local = {_text(m): _text(u) for m, u in self.server.hgetall(self.key).items()}
        return iter(dict(self.local))

    def __len__(self) -> int:
        return int(self.server.hlen(self.key))


def connect(url: str) -> Any:
    """A redis-py client for ``redis://HOST:PORT/DB``, checked with a PING."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
    client.ping()
    return client


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class Coordinator:
    """One worker's view of the shared crawl state (or the seeder's, without a worker id)."""

    def __init__(
        self, server: Any, keys: Keys, worker_id: str = "", lease_timeout: float = 30.0
    ) -> None:
        self.server = server
        self.keys = keys
        self.worker_id = worker_id
        self.lease_ms = max(1000, int(lease_timeout * 1000))
        self._pop = server.register_script(POP_SCRIPT)
        self._requeue = server.register_script(REQUEUE_SCRIPT)

    # -- the crawl and its blogs -------------------------------------------------------------

    def active(self) -> bool:
        """True while the crawl has work queued or leased, blogs not started, or live workers."""
        k = self.keys
        return bool(
            self.server.zcard(k.requests)
            or self.server.hlen(k.leases)
            or self.server.hlen(k.sites) > self.server.hlen(k.started)
            or self.live_workers()
        )

    def seed(self, urls: Iterable[str], options: dict[str, Any]) -> tuple[str, bool]:
        """Add blogs to the crawl: (crawl id, True when a new crawl was started).

        A finished crawl (nothing queued, leased or unstarted, no live worker) is cleared first,
        duplicate filter included, so the same blogs can be crawled again; a running or
        interrupted one is joined and resumed.
        """
        k = self.keys
        fresh = not self.active()
        if fresh:
            self.server.delete(
                k.dupefilter, k.crawl, k.sites, k.started, k.start_status, k.requests
            )
            self.server.delete(k.leases, k.lease_owners, k.workers)
            for key in self.server.scan_iter(match=k.months("*"), count=500):
                self.server.delete(key)
            self.server.hset(
                k.crawl,
                mapping={
                    "crawl_id": uuid.uuid4().hex,
                    "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                },
            )
        crawl_id = self.crawl_id()
        for url in urls:
            self.server.hsetnx(k.sites, url, json.dumps(options, sort_keys=True))
        return crawl_id, fresh

    def crawl_id(self) -> str:
        value = self.server.hget(self.keys.crawl, "crawl_id")
        if value is None:  # workers started before any seeding: make one, first writer wins
            self.server.hsetnx(self.keys.crawl, "crawl_id", uuid.uuid4().hex)
            value = self.server.hget(self.keys.crawl, "crawl_id")
        return _text(value)

    def sites(self) -> dict[str, dict[str, Any]]:
        """Every blog of the crawl: start URL -> its options."""
        return {
            _text(url): json.loads(_text(options))
            for url, options in self.server.hgetall(self.keys.sites).items()
        }

    def site_options(self, url: str) -> dict[str, Any] | None:
        value = self.server.hget(self.keys.sites, url)
        return json.loads(_text(value)) if value is not None else None

    def claim_unstarted(self) -> list[str]:
        """The blogs whose start requests this worker is now to queue (each blog claimed once)."""
        k = self.keys
        started = {_text(u) for u in self.server.hkeys(k.started)}
        claimed = []
        for url in sorted(_text(u) for u in self.server.hkeys(k.sites)):
            if url not in started and self.server.hsetnx(k.started, url, self.worker_id):
                claimed.append(url)
        return claimed

    def set_start_status(self, url: str, status: int) -> None:
        self.server.hset(self.keys.start_status, url, status)

    def start_statuses(self) -> dict[str, int]:
        return {_text(u): int(s) for u, s in self.server.hgetall(self.keys.start_status).items()}

    # -- workers -----------------------------------------------------------------------------

    def register(self) -> None:
        """Announce this worker; refuse an id that a live worker holds."""
        info = json.dumps(
            {"host": socket.gethostname(), "since": datetime.now(timezone.utc).isoformat()}
        )
        key = self.keys.worker(self.worker_id)
        # A worker restarted under its id right after a crash waits for its old key to expire.
        deadline = time.monotonic() + self.lease_ms / 1000 + 2
        while not self.server.set(key, info, nx=True, px=self.lease_ms):
            if time.monotonic() > deadline:
                raise WorkerIdInUse(
                    f"worker id {self.worker_id!r} is in use by a live worker: "
                    "give another --worker-id"
                )
            time.sleep(0.2)
        self.server.sadd(self.keys.workers, self.worker_id)
        # Leases left by an earlier life of this id (killed, then restarted under the same id).
        again = self.requeue_worker(self.worker_id)
        if again:
            logger.warning("Re-queued %d requests this worker id held when it last stopped", again)

    def heartbeat(self) -> None:
        """Renew this worker's liveness key; warn when it had lapsed (its leases may be redone)."""
        key = self.keys.worker(self.worker_id)
        if not self.server.set(key, "alive", xx=True, px=self.lease_ms):
            logger.warning(
                "Worker %s missed its heartbeat (ARCHIVER_REDIS_LEASE_TIMEOUT); its leased "
                "requests may be fetched again by other workers",
                self.worker_id,
            )
            self.server.set(key, "alive", px=self.lease_ms)
            self.server.sadd(self.keys.workers, self.worker_id)

    def unregister(self) -> None:
        self.server.delete(self.keys.worker(self.worker_id))
        self.server.srem(self.keys.workers, self.worker_id)

    def live_workers(self) -> list[str]:
        workers = sorted(_text(w) for w in self.server.smembers(self.keys.workers))
        return [w for w in workers if self.server.exists(self.keys.worker(w))]

    def requeue_dead(self) -> int:
        """Put back the leases of every worker whose liveness key expired; how many."""
        owners = {_text(v).split("\t", 1)[0] for v in self.server.hvals(self.keys.lease_owners)}
        owners |= {_text(w) for w in self.server.smembers(self.keys.workers)}
        count = 0
        for worker in sorted(owners):
            if worker == self.worker_id or self.server.exists(self.keys.worker(worker)):
                continue
            again = self.requeue_worker(worker)
            self.server.srem(self.keys.workers, worker)
            self.free_places(worker)
            if again:
                logger.warning(
                    "Worker %s stopped answering: re-queued its %d requests", worker, again
                )
            count += again
        return count

    def free_places(self, worker_id: str) -> None:
        """Give back the in-flight places a dead worker held (see ``politeness``)."""
        for key in self.server.scan_iter(match=self.keys.inflight("*"), count=500):
            members = [m for m, _ in self.server.zscan_iter(key, match=f"{worker_id}:*")]
            if members:
                self.server.zrem(key, *members)

    # -- leases ------------------------------------------------------------------------------

    def _lease_keys(self) -> list[str]:
        return [self.keys.requests, self.keys.leases, self.keys.lease_owners]

    def pop(self) -> tuple[str, bytes] | None:
        """The best queued request, leased to this worker: (lease id, request as queued)."""
        lease = uuid.uuid4().hex
        data = self._pop(keys=self._lease_keys(), args=[lease, self.worker_id])
        return (lease, data) if data is not None else None

    def release(self, leases: Iterable[str]) -> None:
        """Drop leases of requests fully handled."""
        leases = list(leases)
        if leases:
            pipe = self.server.pipeline()
            pipe.hdel(self.keys.leases, *leases)
            pipe.hdel(self.keys.lease_owners, *leases)
            pipe.execute()

    def requeue(self, leases: Iterable[str]) -> int:
        """Put leased requests back into the queue (a worker stopping before handling them)."""
        leases = list(leases)
        if not leases:
            return 0
        return int(self._requeue(keys=self._lease_keys(), args=["", *leases]))

    def requeue_worker(self, worker_id: str) -> int:
        return int(self._requeue(keys=self._lease_keys(), args=[worker_id]))

    def queued(self) -> int:
        return int(self.server.zcard(self.keys.requests))

    def leased(self) -> int:
        return int(self.server.hlen(self.keys.leases))

    def idle(self) -> bool:
        """Nothing queued, nothing leased, every blog started: the crawl has no work left."""
        k = self.keys
        return not (
            self.server.zcard(k.requests)
            or self.server.hlen(k.leases)
            or self.server.hlen(k.sites) > self.server.hlen(k.started)
        )


def coordinator_for(crawler: Any) -> Coordinator:
    """The crawler's one Coordinator, built from its settings on first use."""
    coordinator = getattr(crawler, "archiver_coordinator", None)
    if coordinator is None:
        settings = crawler.settings
        coordinator = Coordinator(
            connect(settings.get("REDIS_URL")),
            Keys(check_prefix(settings.get("ARCHIVER_REDIS_KEY") or DEFAULT_PREFIX)),
            settings.get("ARCHIVER_WORKER_ID") or default_worker_id(),
            settings.getfloat("ARCHIVER_REDIS_LEASE_TIMEOUT", 30.0),
        )
        crawler.archiver_coordinator = coordinator
    return coordinator
