"""How many torch threads a node gets when several nodes run at once on one machine.

Why: torch gives every process one intra-op thread per core. Kedro's ``ParallelRunner`` runs
up to one process per core and a Dask worker runs ``nthreads`` nodes at once, so uncapped,
*processes × cores* threads share *cores* cores, and every OpenMP barrier of a training step
waits for threads the kernel has descheduled — the stall tests/conftest.py measured on a
loaded 2-core machine (a 3-step CycleGAN ~13 s instead of ~0.1 s). Capped at
``cores // concurrent nodes``, the threads never outnumber the cores.

The knob is the environment variable :data:`THREADS_ENV`:

* unset or ``auto``: the cap is computed — by :class:`emotion_gan.hooks.TorchThreads` under
  ``ParallelRunner``, by :class:`emotion_gan.runners.DaskRunner` on each Dask worker — and a
  sequential run keeps torch's own default;
* a whole number: every node process uses that many threads, under any runner.
"""

from __future__ import annotations

import os

from kedro.pipeline import Pipeline

#: Torch intra-op threads per node process: a whole number, or ``auto`` (the default).
THREADS_ENV = "EMOTION_GAN_TORCH_THREADS"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity; a container's cpuset counts)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def threads_per_slot(slots: int, cores: int | None = None) -> int:
    """Threads per node when ``slots`` nodes run at once on ``cores`` cores (at least 1)."""
    return max(1, (cores or available_cores()) // max(1, slots))


def parallel_processes(pipeline: Pipeline) -> int:
    """The worker processes Kedro's ``ParallelRunner`` starts for ``pipeline`` by default.

    Kedro's own estimate (``ParallelRunner._get_required_workers_count``): nodes minus
    topological layers plus one, at most ``os.cpu_count()`` (its default ``max_workers``). A
    smaller ``--runner-params max_workers=N`` is invisible to hooks; the cap computed from
    this estimate is then lower than it could be, never above the cores.
    """
    required = len(pipeline.nodes) - len(pipeline.grouped_nodes) + 1
    return max(1, min(required, os.cpu_count() or 1))


def requested_threads() -> int | None:
    """The thread count :data:`THREADS_ENV` asks for; ``None`` when unset or ``auto``.

    Raises:
        ValueError: the variable holds anything else (named, with what to write instead).
    """
    raw = os.environ.get(THREADS_ENV, "").strip().lower()
    if raw in ("", "auto"):
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(
            f"{THREADS_ENV}={raw!r} is not a thread count: set it to a whole number ≥ 1 "
            f"(torch threads per node process, e.g. {THREADS_ENV}=2) or to 'auto'"
        )
    return int(raw)


def use_torch_threads(threads: int) -> None:
    """Set this process's torch intra-op threads (a no-op when already that many)."""
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
