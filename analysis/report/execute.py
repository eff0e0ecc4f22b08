"""Run a report's joined notebook: in one kernel, or in two at once on a machine with two cores.

The chapters of a report are joined into one notebook (:func:`analysis.report.runner.
build_report_notebook`, each cell tagged with its chapter). Here its cells are executed with
nbclient, the library papermill runs notebooks with, in one of two ways:

* **one kernel**: every cell in order, as papermill would;
* **two kernels**: the chapters listed in ``report: second_kernel`` of the config (the urgent
  care chapter) run in a second kernel beside the others. The chapters that come after them in
  the run order (the summary, which reads what every chapter recorded, and the provenance) wait
  until the second kernel has finished, then run in the first. The chapters write to separate
  files; what they record in ``_meta/`` is updated under a lock
  (:meth:`analysis.report.rendering.Report._meta_update`).

Each executed cell keeps its own time in ``metadata.report_seconds``, and the first cell that
waited for the second kernel the wait in ``metadata.report_waited`` (``make bench`` adds them up
by chapter). A failing cell stops the run (and the other kernel) with
:class:`ChapterFailed`, naming its chapter and the error's first line.
"""

from __future__ import annotations

import asyncio
import atexit
import signal
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


class ChapterFailed(Exception):
    """A cell of a chapter raised: ``chapter`` (its notebook's file name) and ``cause`` (the
    first line of the error)."""

    def __init__(self, chapter: str, cause: str) -> None:
        super().__init__(f"{chapter} failed: {cause}")
        self.chapter = chapter
        self.cause = cause


def lanes(nb: nbformat.NotebookNode, second: set[str] | frozenset[str]
          ) -> tuple[list[int], list[int], int | None]:
    """Which cells run where.

    Returns
    -------
    first, second_cells : list of int
        Indexes of the cells of the first kernel (in order) and of the second.
    wait_before : int or None
        The position in ``first`` from which the first kernel waits for the second (the
        first cell of a chapter that comes after a second-kernel chapter); None when it never
        waits (no second kernel).
    """
    first, other = [], []
    wait_before = None
    seen_second = False
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("report_chapter") in second:
            other.append(i)
            seen_second = True
        else:
            if seen_second and wait_before is None:
                wait_before = len(first)
            first.append(i)
    if not other:
        return first, [], None
    return first, other, wait_before


def _cause(exc: CellExecutionError) -> str:
    text = (exc.evalue or exc.ename or "error").strip()
    return (text.splitlines() or ["error"])[0]


async def _run_cells(client: NotebookClient, nb, indexes: list[int], wait_before: int | None,
                     other_done: asyncio.Event | None) -> None:
    async with client.async_setup_kernel():
        await _cells(client, nb, indexes, wait_before, other_done)


async def _cells(client: NotebookClient, nb, indexes: list[int], wait_before: int | None,
                 other_done: asyncio.Event | None) -> None:
    for position, i in enumerate(indexes):
        cell = nb.cells[i]
        if position == wait_before and other_done is not None:
            started = time.perf_counter()
            await other_done.wait()
            cell.metadata["report_waited"] = round(time.perf_counter() - started, 6)
        started = time.perf_counter()
        try:
            await client.async_execute_cell(cell, i)
        except CellExecutionError as exc:
            chapter = Path(cell.metadata.get("report_chapter", "report")).name
            raise ChapterFailed(chapter, _cause(exc)) from None
        cell.metadata["report_seconds"] = round(time.perf_counter() - started, 6)


async def _execute(nb, kernel: str, cwd: Path, second: set[str],
                   clients: list[NotebookClient]) -> None:
    first, other, wait_before = lanes(nb, second)

    def client() -> NotebookClient:
        clients.append(NotebookClient(nb, kernel_name=kernel, timeout=None,
                                      resources={"metadata": {"path": str(cwd)}}))
        return clients[-1]

    if not other:
        await _run_cells(client(), nb, first, None, None)
        return
    done = asyncio.Event()

    async def second_lane() -> None:
        try:
            await _run_cells(client(), nb, other, None, None)
        finally:
            done.set()

    async with asyncio.TaskGroup() as group:  # a failure in one cancels the other
        group.create_task(_run_cells(client(), nb, first, wait_before, done))
        group.create_task(second_lane())


def _stop(client: NotebookClient) -> None:
    """Shut down the client's kernel if a stopped run left it running, and take back the
    clean-up nbclient registers to run at exit (it fails once the kernel is gone)."""
    atexit.unregister(client._cleanup_kernel)
    if client.km is not None:
        try:
            client._cleanup_kernel()
        except (RuntimeError, AssertionError):  # the kernel or its client is gone already
            pass


class _Ours:
    """A signal callback of this module (the only kind :class:`_Loop` installs)."""

    def __init__(self, fn: Callable[[int], None]) -> None:
        self.fn = fn

    def __call__(self, signum: int) -> None:
        self.fn(signum)


class _Loop(asyncio.SelectorEventLoop):
    """The event loop of a run. nbclient puts SIGINT and SIGTERM handlers of its own on the
    loop for each kernel, which shut that kernel down but let the run go on (and remove any
    handler when the kernel stops); with two kernels they would replace each other. Only this
    module's handler, which stops the whole run, is put in place or taken away."""

    ours: set[int]
    stopped = False
    """Set when the run was stopped half way (a signal, a failed chapter)."""

    def call_exception_handler(self, context) -> None:
        # A run stopped half way cancels nbclient's tasks mid-flight; the kernel-polling task of
        # a kernel shut down under it then fails on its own, with nothing left to report it to.
        if not self.stopped:
            super().call_exception_handler(context)

    def add_signal_handler(self, sig, callback, *args) -> None:
        if isinstance(callback, _Ours):
            super().add_signal_handler(sig, callback, *args)
            self.ours = {*getattr(self, "ours", set()), sig}

    def remove_signal_handler(self, sig) -> bool:
        if sig in getattr(self, "ours", set()):
            return False  # ours stays until the loop closes
        return super().remove_signal_handler(sig)


def execute(nb: nbformat.NotebookNode, kernel: str, cwd: Path,
            second: set[str] | frozenset[str] = frozenset()) -> nbformat.NotebookNode:
    """Execute the joined notebook ``nb`` in place and return it.

    Ctrl-C or SIGTERM during the run stops both kernels (their clean-up runs), then reaches
    the caller through the handler that was in place before (the command line's: one line,
    exit 130 or 143).

    Parameters
    ----------
    nb : NotebookNode
        Cells tagged with their chapter (``metadata.report_chapter``).
    kernel : str
        The Jupyter kernel's name.
    cwd : Path
        The kernels' working folder.
    second : set of str
        Chapters run in a second kernel beside the others (empty: one kernel).

    Raises
    ------
    ChapterFailed
        A cell raised; the other kernel is stopped too.
    """
    received: list[int] = []
    clients: list[NotebookClient] = []
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()

        def on_signal(signum: int) -> None:
            received.append(signum)
            loop.stopped = True
            task.cancel()  # the kernels are shut down as the tasks unwind

        for sig in before:
            try:
                loop.add_signal_handler(sig, _Ours(on_signal), sig)
            except (RuntimeError, ValueError):  # not the main thread: nothing to watch
                break
        try:
            await _execute(nb, kernel, Path(cwd), set(second), clients)
        except BaseException:
            loop.stopped = True
            raise

    try:
        with asyncio.Runner(loop_factory=_Loop) as runner:
            runner.run(main())
    except ExceptionGroup as group:  # from the task group: the first chapter that failed
        if not received:
            failed = [e for e in group.exceptions if isinstance(e, ChapterFailed)]
            raise (failed[0] if failed else group.exceptions[0]) from None
    except asyncio.CancelledError:
        if not received:
            raise
    finally:
        for sig, handler in before.items():  # asyncio leaves the default handlers behind
            signal.signal(sig, handler)
        for c in clients:  # a run stopped half way: no kernel left, no clean-up at exit
            _stop(c)
    if received:
        handler = before[received[0]]
        if callable(handler):
            handler(received[0], None)  # raises, as the signal would have
        raise KeyboardInterrupt
    return nb
