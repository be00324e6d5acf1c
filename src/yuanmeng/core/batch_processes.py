"""Batches of work done by one process per core, with a lifetime that always ends (imports check long files so).

What makes it safe inside the background worker, whose task runner has other threads and its own signal
handlers (decision 0004):

- **Started from a fork server**, never forked from the worker: the fork server is a fresh single-threaded
  process with Django set up once (``core.django_ready``), so a process started from it holds none of the locks
  that the worker's other threads (the lease heartbeat, the database driver, logging) may hold at that moment.
  What the work needs (``rules``: for an import the kind, its lookups, the columns) is handed to each process
  once, when it starts.
- **A pipe of its own** to each process, two batches in flight on it (it never waits for work; memory stays
  flat), written by a thread of the parent's (the parent never blocks on a pipe that a stuck process does not
  read): no queue, lock or semaphore is shared between processes, so none can be left held by a process that
  died. A process whose parent died (even by SIGKILL) reads the end of its pipe and ends.
- **Plain signals**: the processes die on SIGTERM and ignore SIGINT (Ctrl-C on ``yuanmeng worker`` lets the
  running task finish; the task then ends its processes itself).
- **Every wait is bounded**: an answer that does not come within ``timeout`` seconds, or a process that ends,
  is a ``ValidationError`` that says so; stopping waits a few seconds for the processes to end by themselves,
  then terminates them, then kills them.
"""

import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait

import django
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
STOP_SECONDS = 5  # for a process to end after being told to, and again after SIGTERM
IN_FLIGHT = 2  # batches a process holds: while it answers one, the next is there


def _serve(connection, function: Callable, rules, language: str) -> None:
    """One process: batches in, answers out, until told to stop (None) or the parent is gone."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    django.setup()  # done in the fork server already (then only logging is configured again)
    translation.activate(language)
    try:
        while (batch := connection.recv()) is not None:
            connection.send(function(batch, rules))
    except (EOFError, OSError):  # the parent died: nobody to answer
        pass


def _post(connection, outbox: queue.SimpleQueue) -> None:
    """Send what is put in ``outbox`` to a process, until None (its signal to end) or until the process is gone."""
    while True:
        item = outbox.get()
        try:
            connection.send(item)
        except OSError:
            return
        if item is None:
            return


class BatchProcesses:
    """``count`` processes applying ``function(batch, rules)``; ``map`` gives the answers in the batches' order."""

    def __init__(self, function: Callable, rules, count: int, *, timeout: float):
        self.function, self.rules, self.count, self.timeout = function, rules, count, timeout
        self._processes: list = []
        self._connections: list = []
        self._outboxes: list[queue.SimpleQueue] = []
        self._postmen: list[threading.Thread] = []

    def __enter__(self) -> "BatchProcesses":
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["yuanmeng.core.django_ready"])
        try:
            for number in range(self.count):
                ours, theirs = context.Pipe()
                process = context.Process(target=_serve, name=f"batch-process-{number}", daemon=True,
                                          args=(theirs, self.function, self.rules, translation.get_language()))
                self._connections.append(ours)
                self._processes.append(process)
                process.start()
                theirs.close()
                self._outboxes.append(queue.SimpleQueue())
                self._postmen.append(threading.Thread(target=_post, args=(ours, self._outboxes[-1]), daemon=True,
                                                      name=f"batch-post-{number}"))
                self._postmen[-1].start()
        except BaseException:
            self._stop(finished=False)
            raise
        return self

    def __exit__(self, kind, *_exc) -> None:
        self._stop(finished=kind is None)

    def map(self, batches: Iterable[list]) -> Iterator[list]:
        batches = iter(batches)
        in_flight: deque[int] = deque()  # the processes that hold a batch, in the batches' order
        for slot in list(range(self.count)) * IN_FLIGHT:
            self._give(slot, next(batches, None), in_flight)
        while in_flight:
            slot = in_flight.popleft()
            answer = self._receive(slot)
            self._give(slot, next(batches, None), in_flight)
            yield answer

    def _give(self, slot: int, batch: list | None, in_flight: deque) -> None:
        if batch is not None:
            self._outboxes[slot].put(batch)
            in_flight.append(slot)

    def _receive(self, slot: int):
        connection, process = self._connections[slot], self._processes[slot]
        ready = wait([connection, process.sentinel], timeout=self.timeout)
        if not ready:
            raise ValidationError(_("The check of the rows stopped: a checking process gave no answer for %(seconds)d "
                                    "seconds. Nothing was written; run the task again.")
                                  % {"seconds": self.timeout})
        if connection in ready:
            try:
                return connection.recv()
            except (EOFError, OSError):  # it ended while answering
                pass
        raise self._ended(slot)

    def _ended(self, slot: int) -> ValidationError:
        process = self._processes[slot]
        process.join(STOP_SECONDS)
        logger.error("batch process %s ended with exit code %s", process.pid, process.exitcode)
        return ValidationError(_("The check of the rows stopped: a checking process ended unexpectedly (exit code "
                                 "%(code)s). Nothing was written; run the task again.") % {"code": process.exitcode})

    def _stop(self, *, finished: bool) -> None:
        """Tell idle processes to end and give them a moment; then SIGTERM, then SIGKILL, each wait bounded."""
        for outbox in self._outboxes:
            outbox.put(None)
        deadline = time.monotonic() + (STOP_SECONDS if finished else 0)
        for process in self._started():
            process.join(max(deadline - time.monotonic(), 0))
        for end in ("terminate", "kill"):
            alive = [process for process in self._started() if process.is_alive()]
            for process in alive:
                getattr(process, end)()
            for process in alive:
                process.join(STOP_SECONDS)
        for process in self._started():
            if process.is_alive():
                logger.error("batch process %s did not end, even killed", process.pid)
        for postman in self._postmen:  # a send to a process that ended has failed by now
            postman.join(STOP_SECONDS)
        for connection in self._connections:
            connection.close()

    def _started(self) -> list:
        return [process for process in self._processes if process.pid is not None]
