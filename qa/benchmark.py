"""`qa bench`: build time, load time, per-question latency and peak memory, measured on this machine."""
from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from .config import Config


def _rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_benchmark(config: Config, questions: list[str], repeats: int = 3) -> dict[str, Any]:
    from .assistant import Assistant

    with tempfile.TemporaryDirectory() as tmp:
        cold = config.replace(index_dir=Path(tmp))
        t = time.perf_counter()
        Assistant.load(cold, progress=None, rebuild=True)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        assistant = Assistant.load(cold, progress=None)
        load_s = time.perf_counter() - t
        assistant.ask(questions[0])  # first call pays one-off model warm-up
        latencies = []
        for _ in range(repeats):
            for q in questions:
                t = time.perf_counter()
                assistant.ask(q)
                latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {
        "embedder": assistant.manifest["embedder"]["name"],
        "chunks": len(assistant.chunks),
        "build_s": round(build_s, 1),
        "load_s": round(load_s, 2),
        "questions": len(latencies),
        "latency_ms": {"p50": round(statistics.median(latencies), 1),
                       "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
                       "max": round(latencies[-1], 1)},
        "peak_rss_mib": round(_rss_mib()),
    }


def questions_from(set_path: Path) -> list[str]:
    with set_path.open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]
