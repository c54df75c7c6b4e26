"""Where jobs run: one after another in this process, or on Dask distributed.

A job is a plain function called as ``fn(*args, env)``; :class:`JobEnv` tells it how many cores
it has and carries its progress messages back to whoever watches (``on_event(key, kind, text)``).

- :class:`InProcess` runs the jobs in turn here (what runs when dask is not installed).
- :class:`DaskEngine` runs them on a Dask cluster: a ``LocalCluster`` of this machine's cores by
  default, or an existing cluster's scheduler (``--scheduler tcp://host:8786``). Deploying a cluster
  (Kubernetes, SLURM, cloud) is Dask's business, not this module's.

A job must catch its own errors (a site's bad input is its result, not the engine's failure). What
the engine handles is a job lost with its worker (the process died or the machine went away): it is
run once more, and a second loss is the job's error. Each job is sized to its worker: the cores of
the worker's machine shared among the task slots of the workers there.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# (job key, kind, text). Kinds: queued, started, stage (a progress message), done, failed (the job
# returned a value whose ``ok`` is False; text: its ``error``), retry, lost (no result).
OnEvent = Callable[[str, str, str], None]
TOPIC = "planner-progress"
# Times a job lost with its worker is run again.
RETRIES = 1


def machine_cores() -> int:
    """Cores this process may use (the affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def worker_environ(workers: int) -> dict[str, int]:
    """The environment our LocalCluster's worker processes start with: numeric thread pools of the
    cores each worker has. Dask's default also sets ``MALLOC_TRIM_THRESHOLD_=65536``, which hands
    freed memory back to the system at once; the planner's pandas stages then fault it back in
    (the tiers of a 100-agent site took 2.5 times the processor time), so it is left out."""
    threads = max(1, machine_cores() // max(1, workers))
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class JobEnv:
    """What a running job knows of its place: its key, its cores, and where its progress goes."""

    key: str
    cores: int
    local: OnEvent | None = None  # in-process: the watcher itself; on Dask: None (a worker event)

    def say(self, text: str) -> None:
        if self.local is not None:
            self.local(self.key, "stage", text)
            return
        try:
            from distributed import get_worker

            get_worker().log_event(TOPIC, {"key": self.key, "text": text})
        except (ImportError, ValueError):
            pass  # not on a worker: nobody to tell


@dataclass(frozen=True)
class JobResult:
    """A job's return value, or the error that stopped it outside its own handling."""

    key: str
    value: Any = None
    error: str | None = None
    attempts: int = 1


class InProcess:
    """Jobs one after another in this process."""

    name = "in-process"

    def __init__(self, cores: int | None = None) -> None:
        self.cores = cores or machine_cores()

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def describe(self) -> str:
        return f"in this process, one job at a time ({self.cores} core(s) each)"

    def map(self, fn: Callable[..., Any], jobs: Mapping[str, tuple], on_event: OnEvent | None = None
            ) -> dict[str, JobResult]:
        tell = on_event or (lambda _k, _t, _x: None)
        for key in jobs:
            tell(key, "queued", "")
        out = {}
        for key, args in jobs.items():
            tell(key, "started", "")
            try:
                value = fn(*args, JobEnv(key, self.cores, tell))
            except Exception as err:  # a job that did not catch its own error
                out[key] = JobResult(key, error=f"{type(err).__name__}: {err}")
                tell(key, "lost", out[key].error or "")
                continue
            out[key] = JobResult(key, value)
            _tell_result(tell, key, value)
        return out


class DaskEngine:
    """Jobs on a Dask cluster: a LocalCluster of ``workers`` processes (one task slot each) or the
    cluster whose scheduler is at ``scheduler``."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.client: Any = None
        self.cluster: Any = None
        self._cores: dict[str, int] = {}

    def __enter__(self) -> DaskEngine:
        import logging

        import dask
        from distributed import Client, LocalCluster

        if self.scheduler:
            self.client = Client(self.scheduler, timeout="30s")
        else:
            n = self.workers or machine_cores()
            # The scheduler runs here, so its settings are ours: a lost job comes back to us at
            # once (we run it again, once) instead of being retried by the scheduler; workers are
            # not daemons, so a site's simulation may use processes of its own.
            # Every port is the system's choice: the scheduler's HTTP server (which starts even
            # without a dashboard) would otherwise take 8787, the port two runs at once compete for.
            with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                                  "distributed.worker.daemon": False,
                                  "distributed.nanny.pre-spawn-environ": worker_environ(n)}):
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                            scheduler_port=0, dashboard_address=":0",
                                            scheduler_kwargs={"dashboard": False},
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        self._cores = self._cores_by_worker()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def describe(self) -> str:
        info = self.client.scheduler_info(n_workers=-1) if self.client else {"workers": {}}
        slots = sum(w.get("nthreads", 1) for w in info["workers"].values())
        where = self.scheduler or "a LocalCluster on this machine"
        return f"on Dask ({where}): {len(info['workers'])} worker(s), {slots} task slot(s)"

    def _cores_by_worker(self) -> dict[str, int]:
        """Cores per task slot on each worker's machine (by host): its cores over the slots there."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        cores = self.client.run(machine_cores)
        slots: dict[str, int] = {}
        for w in info.values():
            slots[w["host"]] = slots.get(w["host"], 0) + int(w.get("nthreads", 1))
        return {w["host"]: max(1, cores.get(addr, 1) // max(1, slots[w["host"]])) for addr, w in info.items()}

    def map(self, fn: Callable[..., Any], jobs: Mapping[str, tuple], on_event: OnEvent | None = None
            ) -> dict[str, JobResult]:
        from distributed import as_completed

        tell = on_event or (lambda _k, _t, _x: None)

        def relay(event: tuple) -> None:
            _, msg = event
            if isinstance(msg, dict) and "key" in msg:
                tell(str(msg["key"]), str(msg.get("kind", "stage")), str(msg.get("text", "")))

        self.client.subscribe_topic(TOPIC, relay)
        attempts = dict.fromkeys(jobs, 0)
        owner: dict[str, str] = {}
        token = secrets.token_hex(4)

        def submit(key: str) -> Any:
            attempts[key] += 1
            fut = self.client.submit(_on_worker, fn, jobs[key], key, self._cores, pure=False,
                                     key=f"planner-{token}-{key}-{attempts[key]}")
            owner[fut.key] = key
            return fut

        out: dict[str, JobResult] = {}
        for key in jobs:
            tell(key, "queued", "")
        pending = as_completed([submit(k) for k in jobs])
        try:
            for fut in pending:
                key = owner[fut.key]
                try:
                    value = fut.result()
                except Exception as err:
                    text = f"{type(err).__name__}: {err}"
                    if _lost(err) and attempts[key] <= RETRIES:
                        tell(key, "retry", f"worker lost ({text}); running it again")
                        pending.add(submit(key))
                        continue
                    out[key] = JobResult(key, error=("worker lost: " if _lost(err) else "") + text,
                                         attempts=attempts[key])
                    tell(key, "lost", out[key].error or "")
                    continue
                out[key] = JobResult(key, value, attempts=attempts[key])
                _tell_result(tell, key, value)
        finally:
            self.client.unsubscribe_topic(TOPIC)
        return {k: out[k] for k in jobs}


def _tell_result(tell: OnEvent, key: str, value: Any) -> None:
    if getattr(value, "ok", True) is False:
        tell(key, "failed", str(getattr(value, "error", "")))
    else:
        tell(key, "done", "")


def _lost(err: BaseException) -> bool:
    """True when the job's worker went away (rather than the job raising)."""
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    return isinstance(err, KilledWorker | CommClosedError | OSError) and not isinstance(
        err, FileNotFoundError | PermissionError)


def _on_worker(fn: Callable[..., Any], args: tuple, key: str, cores: Mapping[str, int]) -> Any:
    from distributed import get_worker

    get_worker().log_event(TOPIC, {"key": key, "kind": "started"})
    # By host: a worker restarted after a loss has a new address on the same machine.
    return fn(*args, JobEnv(key, cores.get(get_worker().ip, 1)))


def make_engine(scheduler: str | None = None, workers: int | None = None,
                sequential: bool = False) -> InProcess | DaskEngine:
    """Dask when it is installed (or a scheduler is named), else in-process."""
    if sequential:
        return InProcess()
    if scheduler or dask_available():
        if not dask_available():
            from planner.errors import PlannerError

            raise PlannerError("--scheduler needs Dask: pip install 'planner[distributed]'")
        return DaskEngine(scheduler, workers)
    return InProcess()
