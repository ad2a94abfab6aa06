"""Throughput of a running web UI under many concurrent API clients, and how much a hostile client delays others.

    python -m qa.loadtest http://127.0.0.1:7860/ [--clients 50] [--per-client 10] [--transport json] [--json]
    python -m qa.loadtest --serve [--ui ui.py] [--transport both] [--interference] ...   # start `python ui.py` first

Every client is its own session (qa/load_clients.py: `gradio`, Gradio's /ask through gradio_client;
`json`, the plain POST /v1/ask) asking `--per-client` questions one after another; all clients start
together. Before the timed run every distinct question is asked once sequentially, and each concurrent
answer must equal its sequential one (answer text, refusal, cited chunk ids and evidence spans; timings
excluded). Reported: answers/s over the wall time of the concurrent run, latency p50/p95/max per question
as the client sees it, errors and mismatches. `--interference` adds qa/load_interference.py's probe.
Nothing here asserts a timing: it measures.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .config import PROJECT_ROOT
from .load_clients import TRANSPORTS, latency_summary
from .load_interference import run_interference

DEFAULT_SET = PROJECT_ROOT / "eval" / "sets" / "dev.jsonl"


def questions_from_set(path: str | Path = DEFAULT_SET, limit: int = 50) -> list[str]:
    """The first `limit` questions of a JSON Lines QA set (malformed lines are skipped)."""
    out: list[str] = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        try:
            q = json.loads(line).get("question")
        except (json.JSONDecodeError, AttributeError):
            continue
        if isinstance(q, str) and q.strip():
            out.append(q)
        if len(out) >= limit:
            break
    return out


def signature(result: dict[str, Any]) -> tuple:
    """What must not change between a sequential and a concurrent answer (timings do change)."""
    return (result.get("answer"), result.get("refused"),
            tuple((c.get("chunk_id"), tuple(c.get("evidence") or ())) for c in result.get("citations") or ()))


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), or None where it cannot be read."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_load(url: str, questions: Sequence[str], clients: int = 50, per_client: int = 10, top_k: int = 5,
             transport: str = "gradio", auth: tuple[str, str] | None = None,
             say: Callable[[str], None] | None = None, server_pid: int | None = None) -> dict[str, Any]:
    """Measure `clients` concurrent clients × `per_client` questions against a live UI at `url`, through
    `transport` (qa/load_clients.py: `gradio` for Gradio's /ask, `json` for POST /v1/ask).

    With `server_pid` (a server on this machine) the server's own CPU time per answer is reported too:
    the load generator shares the machine, so answers/s alone also measures the clients.
    """
    if not questions:
        raise ValueError("no questions to ask")
    say = say or (lambda _m: None)
    make = lambda: TRANSPORTS[transport](url, auth)  # noqa: E731
    distinct = list(dict.fromkeys(questions))
    reference_client = make()
    say(f"sequential reference: {len(distinct)} questions")
    t0 = time.perf_counter()
    reference: dict[str, tuple] = {}
    sequential_ms: list[float] = []
    for q in distinct:
        t = time.perf_counter()
        reference[q] = signature(reference_client.ask(q, top_k))
        sequential_ms.append((time.perf_counter() - t) * 1000)
    sequential_s = time.perf_counter() - t0

    say(f"connecting {clients} clients")
    with ThreadPoolExecutor(min(clients, 16)) as pool:
        sessions = list(pool.map(lambda _i: make(), range(clients)))
    start = threading.Barrier(clients + 1)
    latencies: list[float] = []
    errors: list[str] = []
    mismatches: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        client = sessions[i]
        mine = [questions[(i * per_client + j) % len(questions)] for j in range(per_client)]
        start.wait()
        for q in mine:
            t = time.perf_counter()
            try:
                result = client.ask(q, top_k)
            except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                with lock:
                    errors.append(f"{q}: {type(exc).__name__}: {exc}")
                continue
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                if signature(result) != reference[q]:
                    mismatches.append(q)

    say(f"concurrent run: {clients} clients × {per_client} questions")
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for th in threads:
        th.start()
    start.wait()
    t0, cpu0 = time.perf_counter(), cpu_seconds(server_pid)
    for th in threads:
        th.join()
    wall, cpu1 = time.perf_counter() - t0, cpu_seconds(server_pid)
    for s in sessions + [reference_client]:
        try:
            s.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass
    return {
        "url": url,
        "transport": transport,
        "clients": clients,
        "per_client": per_client,
        "requests": clients * per_client,
        "answers": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:5],
        "mismatches": len(mismatches),
        "mismatch_examples": mismatches[:5],
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "latency_ms": latency_summary(latencies),
        "sequential": {"questions": len(distinct), "answers_per_s": round(len(distinct) / sequential_s, 2),
                       "latency_ms_p50": latency_summary(sequential_ms)["p50"]},
        "server_cpu_ms_per_answer": (round((cpu1 - cpu0) * 1000 / len(latencies), 1)
                                     if cpu0 is not None and cpu1 is not None and latencies else None),
    }


# ---------------------------------------------------------------- a server to measure


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server, killing it if it has not gone within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(ui: str | Path = PROJECT_ROOT / "ui.py", args: Sequence[str] = (), timeout_s: float = 600,
          log: str | Path | None = None, env: dict[str, str] | None = None) -> Iterator[tuple[str, float, int]]:
    """Start `python <ui> --port <free>`; yields (url, seconds until it answered HTTP, pid); stops it after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    environ = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", **(env or {})}
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ui), "--host", "127.0.0.1", "--port", str(port), *args],
                            cwd=PROJECT_ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = started + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{ui} exited with {proc.returncode} before serving" + (f" (log: {log})" if log else ""))
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{ui} did not answer {url} within {timeout_s:.0f}s")
            time.sleep(0.2)
        yield url, time.perf_counter() - started, proc.pid
    finally:
        stop(proc)
        if log:
            out.close()


def _format(result: dict[str, Any]) -> str:
    lat = result["latency_ms"]
    seq = result["sequential"]
    lines = [
        f"{result['clients']} clients × {result['per_client']} questions, {result['transport']}, against {result['url']}",
        f"  answers/s {result['answers_per_s']}  (wall {result['wall_s']} s, {result['answers']} answers, "
        f"{result['errors']} errors, {result['mismatches']} differ from the sequential answers)",
        f"  latency p50 {lat['p50']} ms  p95 {lat['p95']} ms  max {lat['max']} ms",
        f"  sequential: {seq['answers_per_s']} answers/s, p50 {seq['latency_ms_p50']} ms over {seq['questions']} questions",
    ]
    if result.get("server_cpu_ms_per_answer") is not None:
        lines.append(f"  server CPU {result['server_cpu_ms_per_answer']} ms per answer")
    lines += [f"  error: {e}" for e in result["error_examples"]]
    lines += [f"  differs: {q}" for q in result["mismatch_examples"]]
    return "\n".join(lines)


def _format_interference(result: dict[str, Any]) -> str:
    probe, heavy = result["probe"], result["heavy_request"]
    lines = [f"one probe client ({result['transport']}), {result['rounds']} questions per condition:"]
    for name in ("alone", "heavy", "slow"):
        p = probe[name]
        delay = f", p95 delay {p['delay_p95_ms']} ms" if "delay_p95_ms" in p else ""
        lines.append(f"  {name:5}  p50 {p['p50']} ms  p95 {p['p95']} ms  max {p['max']} ms{delay}")
    lines.append(f"  heavy request ({heavy['question_chars']}-char question, {heavy['history_turns']} turns / "
                 f"{heavy['history_chars']} chars of history, top_k {heavy['top_k']}): "
                 f"p50 {heavy['latency_ms']['p50']} ms, {heavy['errors']} errors")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="URL of a running UI (or --serve)")
    parser.add_argument("--serve", action="store_true", help="start `python ui.py` on a free port and measure it")
    parser.add_argument("--ui", default=str(PROJECT_ROOT / "ui.py"), help="the UI script --serve starts")
    parser.add_argument("--ui-arg", action="append", default=[], help="extra argument for the UI script (repeatable)")
    parser.add_argument("--transport", choices=[*TRANSPORTS, "both"], default="both",
                        help="which API the clients call (default: both, one after the other)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--questions", type=int, default=50, help="distinct questions taken from --set")
    parser.add_argument("--set", default=str(DEFAULT_SET), help="QA set whose questions are asked")
    parser.add_argument("-k", "--top-k", type=int, default=5)
    parser.add_argument("--interference", action="store_true", help="also measure one heavy and one slow client's effect")
    parser.add_argument("--auth", default=os.environ.get("QA_AUTH"), help="user:password when the UI requires a login")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if bool(args.url) == args.serve:
        parser.error("give a URL or --serve (not both)")
    if args.clients < 1 or args.per_client < 1 or args.questions < 1 or args.top_k < 1:
        parser.error("--clients, --per-client, --questions and --top-k must be at least 1")
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    questions = questions_from_set(args.set, args.questions)
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    transports = list(TRANSPORTS) if args.transport == "both" else [args.transport]

    def measure(url: str, pid: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"runs": [run_load(url, questions, args.clients, args.per_client, args.top_k, t, auth=auth,
                                                 say=say, server_pid=pid) for t in transports]}
        if args.interference:
            out["interference"] = [run_interference(url, questions, t, auth=auth, say=say) for t in transports]
        return out

    if args.serve:
        with serve(args.ui, args.ui_arg) as (url, startup, pid):
            result = measure(url, pid) | {"startup_s": round(startup, 2)}
    else:
        result = measure(args.url)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print("\n".join([_format(r) for r in result["runs"]]
                        + [_format_interference(r) for r in result.get("interference", [])]
                        + ([f"server ready {result['startup_s']:.1f} s after start"] if "startup_s" in result else [])))
    return 1 if any(r["errors"] or r["mismatches"] for r in result["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
