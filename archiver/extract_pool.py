"""Post extraction off the reactor: ``archiver.extract`` in a pool of worker processes.

Extraction is pure CPU (parsing, XPath, text) and takes tens of milliseconds per post. In the
crawl's own process it stalls downloads, WARC writing and discovery while it runs, and the crawl
uses one core. ``PooledExtractPipeline`` hands each fetched post to
``archiver.extraction.extract_fetched`` in spawned worker processes that import no Scrapy, and
awaits the ``Outcome``, which ``ExtractPipeline.finish`` turns into the post (or a drop).

``ARCHIVER_EXTRACT_WORKERS`` sets the number of workers: ``auto`` (the default) is one per CPU
the process may use, or none on a single CPU; ``0`` extracts in the crawl's process, as
``ExtractPipeline`` does. Workers start on demand, so a slow, polite crawl starts only one.
They ignore Ctrl-C (the crawl finishes the posts in flight) and exit when the crawl process is
gone, even after a SIGKILL.
A worker that dies (killed, out of memory, a page that crashes lxml) breaks the pool and fails
every post in flight: the pool is rebuilt, and those posts are extracted again one at a time in
a pool of their own, where a post that kills the worker is certainly the culprit: it alone is
dropped, as ``extraction_crashed``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import types
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from archiver.extract_worker import init_worker
from archiver.extraction import Outcome, extract_fetched
from archiver.items import FetchedPost
from archiver.pipelines import ExtractPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def workers_setting(value: Any) -> int:
    """Number of workers for an ``ARCHIVER_EXTRACT_WORKERS`` value ("auto" or a number >= 0)."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return cpus if cpus and cpus > 1 else 0
    try:
        workers = int(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"ARCHIVER_EXTRACT_WORKERS must be 'auto' or a number, not {value!r}"
        ) from None
    if workers < 0:
        raise ValueError(f"ARCHIVER_EXTRACT_WORKERS must be 0 or more, not {workers}")
    return workers


START_TIMEOUT = 60.0
"""Seconds a first worker may take to start (a spawned Python importing lxml and the extractor)."""


@contextmanager
def _main_hidden() -> Iterator[None]:
    """Hide ``__main__`` while workers start: multiprocessing's spawn imports it again in every
    worker, so a script that starts a crawl without an ``if __name__ == "__main__":`` guard would
    run that crawl once more in each of them. Workers need nothing from it."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


async def on_reactor(future: Future[Outcome]) -> Outcome:
    """Await a worker's result on the Twisted reactor (asyncio or not)."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    deferred: Deferred[Outcome] = Deferred()

    def fire(done: Future[Outcome]) -> None:
        error = done.exception()
        if error is None:
            deferred.callback(done.result())
        else:
            deferred.errback(Failure(error))

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))  # type: ignore[attr-defined]
    return await maybe_deferred_to_future(deferred)


class ExtractionPool:
    """Spawned worker processes running ``job`` (``extract_fetched``); rebuilt when one dies."""

    def __init__(
        self,
        workers: int,
        job: Callable[[FetchedPost], Outcome] = extract_fetched,
        wait: Callable[[Future[Any]], Awaitable[Any]] = on_reactor,
    ):
        self.workers = workers
        self.job = job
        self.wait = wait
        """How a worker's future is awaited: on the Twisted reactor in a crawl."""
        self._executor: ProcessPoolExecutor | None = None
        self.generation = 0
        """Incremented at every (re)build, so that one breakage rebuilds the pool once."""
        self._alone: ProcessPoolExecutor | None = None
        self._alone_tail: Future[None] | None = None

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(os.getpid(),),
        )

    def _submit_call(self, function: Callable[..., Any], *args: Any) -> tuple[int, Future[Any]]:
        if self._executor is None:
            self._executor = self._new_executor(self.workers)
            self.generation += 1
        with _main_hidden():  # workers start on demand, inside submit()
            return self.generation, self._executor.submit(function, *args)

    def _submit(self, item: FetchedPost) -> tuple[int, Future[Outcome]]:
        return self._submit_call(self.job, item)

    def _rebuild(self, generation: int) -> None:
        """Replace a broken pool (once per breakage, however many posts it took with it)."""
        if generation == self.generation and self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def extract(self, item: FetchedPost) -> Outcome:
        """The outcome of ``job`` for ``item``, from a worker; see the module for dead workers."""
        generation = self.generation
        try:
            generation, future = self._submit(item)
            return await self.wait(future)
        except BrokenProcessPool:
            logger.warning(
                "An extraction worker died with %s in flight: extracting it again on its own",
                item.pages[0].url,
            )
            self._rebuild(generation)
        return await self._extract_alone(item)

    async def _extract_alone(self, item: FetchedPost) -> Outcome:
        """Extract in a one-worker pool, one post at a time: a post that kills it is the culprit."""
        previous, mine = self._alone_tail, Future()
        self._alone_tail = mine
        try:
            if previous is not None:
                await self.wait(previous)
            if self._alone is None:
                self._alone = self._new_executor(1)
            try:
                with _main_hidden():
                    future = self._alone.submit(self.job, item)
                return await self.wait(future)
            except BrokenProcessPool:
                self._alone.shutdown(wait=False, cancel_futures=True)
                self._alone = None
                logger.error(
                    "Extracting %s kills its worker process: not archived", item.pages[0].url
                )
                return Outcome(
                    reason="extraction_crashed", message="extracting it kills the worker process"
                )
        finally:
            mine.set_result(None)

    def start(self, timeout: float = START_TIMEOUT) -> bool:
        """Start a worker and check that it runs; False (and a warning) when workers cannot run
        here (no way to start processes, a broken interpreter): extraction then stays in the
        crawl's process."""
        try:
            _, future = self._submit_call(os.getpid)
            future.result(timeout=timeout)
        except Exception as exc:
            logger.warning(
                "Extraction worker processes cannot start (%s: %s): extracting in the crawl's "
                "process",
                exc.__class__.__name__,
                exc,
            )
            self.close()
            return False
        return True

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and benchmarks)."""
        pids: list[int] = []
        for executor in (self._executor, self._alone):
            pids.extend(getattr(executor, "_processes", None) or {})
        return pids

    def close(self) -> None:
        """Stop the workers, waiting for them to exit."""
        for executor in (self._executor, self._alone):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._alone = None


class PooledExtractPipeline(ExtractPipeline):
    """``ExtractPipeline`` whose extraction runs in worker processes (``ARCHIVER_EXTRACT_WORKERS``)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.workers = workers_setting(crawler.settings.get("ARCHIVER_EXTRACT_WORKERS", "auto"))
        self.pool: ExtractionPool | None = None

    def open_spider(self) -> None:
        if self.workers:
            self.pool = ExtractionPool(self.workers)
            if self.pool.start():
                logger.info("Extracting posts in up to %d worker processes", self.workers)
            else:
                self.pool = None

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    async def process_item(self, item: Any) -> Any:  # type: ignore[override]
        if not isinstance(item, FetchedPost) or self.pool is None:
            return super().process_item(item)
        return self.finish(item, await self.pool.extract(item))
