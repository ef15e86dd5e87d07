"""Time ``kedro run --pipelines full`` the way a user waits for it, and where the time goes.

Issue 16's budget is the whole run, not a step: ``make run`` on the embedded default within
10 min on 2 cores. This bench copies the project's files (tracked and not ignored, as a fresh
clone has them; empty ``data/``) to a temporary folder, runs the ``full`` pipeline there with
the venv's Kedro, and reads each node's start and end from a timestamped log. Every node is
attributed to the stage of ``FULL_PIPELINE_STAGES`` that defines it, so the printed table says
which pipeline's share grew when the total did.

The machine's load average before and after is printed too: a neighbour's job makes any
wall-time figure meaningless, and the number should be quoted with it.

Last line: ``full_run: <seconds> s (<minutes> min), largest: <stage> <share>``.

    .venv/bin/python bench/full_run.py                       # conf/base: ≈ 10 min
    .venv/bin/python bench/full_run.py --env embedded_study  # ≈ 70 min
    .venv/bin/python bench/full_run.py --env fer2013_cpu --keep -- --runner ParallelRunner \
        --runner-params max_workers=2 --params fer2013_csv=/path/to/fer2013.csv.gz
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from datetime import datetime
from importlib import import_module
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))

from emotion_gan.pipelines.full.pipeline import FULL_PIPELINE_STAGES  # noqa: E402

#: A plain, timestamped log: Kedro's rich handler prints a time only when it changes.
LOGGING = """\
version: 1
disable_existing_loggers: false
formatters:
  stamped: {format: "%(asctime)s.%(msecs)03d %(name)s %(message)s", datefmt: "%Y-%m-%dT%H:%M:%S"}
handlers:
  file: {class: logging.FileHandler, formatter: stamped, filename: LOGFILE}
root: {handlers: [file], level: INFO}
"""
LINE = re.compile(r"^(\S+) \S+ (Running node|Completed node): (.+)$")


def fresh_copy(target: Path) -> None:
    """The project's files as a clone has them (git's view), without generated data."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source, destination = PROJECT / name.decode(), target / name.decode()
        if source.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())


def stage_of_nodes() -> dict[str, str]:
    """Node name → the ``full`` stage whose pipeline defines it."""
    owner = {}
    for stage in FULL_PIPELINE_STAGES:
        pipeline = import_module(f"emotion_gan.pipelines.{stage}").create_pipeline()
        owner.update({node.name: stage for node in pipeline.nodes})
    return owner


def node_seconds(log: Path) -> dict[str, float]:
    """Seconds per node: from its 'Running node' line to its 'Completed node' line.

    Kedro logs the start with the node's *short* name (no namespace) and the end with its full
    name, so each end is paired with the earliest unpaired start of the same short name. Under
    ``ParallelRunner`` two namespaces' copies of a node can overlap and be paired crosswise;
    a stage's total stays exact all the same (Σ ends − Σ starts), because a short name belongs
    to one stage."""
    started: dict[str, deque[datetime]] = defaultdict(deque)
    seconds: dict[str, float] = {}
    for line in log.read_text().splitlines():
        match = LINE.match(line)
        if not match:
            continue
        stamp, event, text = match.groups()
        when = datetime.fromisoformat(stamp)
        if event == "Running node":
            started[text.split(":", 1)[0].strip()].append(when)
        else:
            name = text.strip()
            short = started[name.rsplit(".", 1)[-1]]
            if short:
                seconds[name] = (when - short.popleft()).total_seconds()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", default=None, help="Kedro env (default: conf/base + local)")
    parser.add_argument("--keep", action="store_true", help="keep the copy (its data/ and log)")
    parser.add_argument(
        "--log", type=Path, help="only tabulate the log of an earlier --keep run (no new run)"
    )
    # Anything else goes to `kedro run` as given (a runner, --params …).
    args, kedro_args = parser.parse_known_args()
    kedro_args = [a for a in kedro_args if a != "--"]
    if args.log:
        print_stages(node_seconds(args.log), total=None)
        return
    kedro = Path(sys.executable).parent / "kedro"
    folder = Path(tempfile.mkdtemp(prefix="full_run_"))
    fresh_copy(folder)
    log = folder / "full_run.log"
    logging_yml = folder / "bench_logging.yml"
    logging_yml.write_text(LOGGING.replace("LOGFILE", str(log)))
    env_args = ["--env", args.env] if args.env else []
    command = [str(kedro), "run", "--pipelines", "full", *env_args, *kedro_args]
    environment = {
        **os.environ,
        "PYTHONPATH": str(folder / "src"),  # the copy's code, not the editable install's
        "KEDRO_LOGGING_CONFIG": str(logging_yml),
        "KEDRO_DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
    }
    load_before = os.getloadavg()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=environment, check=False)
    total = time.perf_counter() - start
    load_after = os.getloadavg()
    if result.returncode:
        raise SystemExit(f"kedro run failed (exit {result.returncode}); log: {log}")

    print(f"{' '.join(['kedro', *command[1:]])}: {total:.0f} s")
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    largest, share = print_stages(node_seconds(log), total)
    if args.keep:
        print(f"kept: {folder}")
    else:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
    print(f"full_run: {total:.0f} s ({total / 60:.1f} min), largest: {largest} {share:.0%}")


def print_stages(node_times: dict[str, float], total: float | None) -> tuple[str, float]:
    """Print seconds and share per stage (of ``total``, else of the nodes' sum); return the
    largest stage and its share."""
    owner = stage_of_nodes()
    per_stage: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for name, seconds in node_times.items():
        per_stage[owner.get(name, "?")] += seconds
        counts[owner.get(name, "?")] += 1
    busy = sum(per_stage.values())
    # Under ParallelRunner the nodes' seconds add up to more than the wall time: shares are
    # then of the summed node time (worker-seconds), and there is no "outside" remainder.
    parallel = total is not None and busy > total
    total = busy if parallel or total is None else total
    print(f"{'stage':32} {'nodes':>5} {'seconds':>8} {'share':>6}")
    for stage in sorted(per_stage, key=per_stage.get, reverse=True):
        print(
            f"{stage:32} {counts[stage]:5d} {per_stage[stage]:8.0f} {per_stage[stage] / total:6.1%}"
        )
    if parallel:
        print(f"(parallel: shares of {busy:.0f} node-seconds, more than the wall time)")
    else:
        outside = total - busy
        label = "(start-up, hooks, between nodes)"
        print(f"{label:32} {'':5} {outside:8.0f} {outside / total:6.1%}")
    largest = max(per_stage, key=per_stage.get)
    return largest, per_stage[largest] / total


if __name__ == "__main__":
    main()
