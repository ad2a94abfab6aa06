"""`qa` command line: build, ask, show, eval, serve. A thin layer over `qa.Assistant`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .answer import ANSWERERS
from .config import Config
from .errors import QAError
from .evaluation import SPLITS
from .retrieval import MODES


def _config(args: argparse.Namespace) -> Config:
    return Config.from_env(
        embedder=getattr(args, "embedder", None), seeds_dir=getattr(args, "seeds", None),
        index_dir=getattr(args, "index", None), mode=getattr(args, "mode", None),
    )


def _assistant(args: argparse.Namespace, rebuild: bool = False):
    from .assistant import Assistant

    return Assistant.load(_config(args), progress=lambda m: print(m, file=sys.stderr), rebuild=rebuild)


def cmd_build(args: argparse.Namespace) -> int:
    assistant = _assistant(args, rebuild=True)
    counts = assistant.manifest["counts"]
    print(f"{counts['chunks']} chunks from {counts['documents']} document(s) → {assistant.index.path}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    answer = _assistant(args).ask(args.question, top_k=args.k, answerer=args.answerer)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(answer.text)
    if answer.understood_as != answer.question:
        print(f"（理解为：{answer.understood_as}）")
    for c in answer.citations:
        print(f"\n[{c.n}] {c.chunk.id}  {c.chunk.section_path}\n    …{c.evidence_text}…")
    if answer.refused and answer.hits:
        print("\n最接近的段落：")
        for h in answer.hits[:3]:
            print(f"  {h.chunk.id}  {h.chunk.text[:60]}…")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    chunk = _assistant(args).chunk(args.chunk_id)
    print(f"{chunk.id}\n{chunk.doc} › {chunk.section_path}\n段落 {chunk.paragraph}，字符 {chunk.start}–{chunk.end}，时期 {chunk.period or '—'}\n\n{chunk.text}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate

    _, failures = evaluate(_assistant(args), args.set, args.out, top_k=args.top_k, split=args.split,
                           compare_path=args.compare, minimums=args.min)
    return 1 if failures else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .benchmark import questions_from, run_benchmark

    result = run_benchmark(_config(args), questions_from(args.set), repeats=args.repeats)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Runs ui.py as `python ui.py` would, so the UI keeps its launch under `__main__`."""
    import runpy

    ui = Path(__file__).resolve().parent.parent / "ui.py"
    sys.argv = [str(ui), "--host", args.host, "--port", str(args.port)]
    runpy.run_path(str(ui), run_name="__main__")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Ask questions about government work reports, with cited evidence.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--embedder", help="e5-small (default), use-multilingual, or st:<HF id or path>")
        sp.add_argument("--seeds", type=Path, help="folder of .txt/.md documents (default: seeds/)")
        sp.add_argument("--index", type=Path, help="index folder (default: index/)")
        return sp

    common(sub.add_parser("build", help="(re)build the index")).set_defaults(func=cmd_build)
    ask = common(sub.add_parser("ask", help="ask one question"))
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None, help="passages to retrieve (default 5)")
    ask.add_argument("--mode", choices=MODES)
    ask.add_argument("--answerer", choices=ANSWERERS, help="short clauses (default) or whole sentences")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(func=cmd_ask)
    show = common(sub.add_parser("show", help="print one chunk by id"))
    show.add_argument("chunk_id")
    show.set_defaults(func=cmd_show)
    ev = common(sub.add_parser("eval", help="run a QA set and write metrics and a report"))
    ev.add_argument("set", type=Path)
    ev.add_argument("--out", type=Path, default=Path("eval/runs/latest"))
    ev.add_argument("--top-k", type=int, default=5)
    ev.add_argument("--mode", choices=MODES)
    ev.add_argument("--split", choices=SPLITS, default="all")
    ev.add_argument("--compare", type=Path, help="an earlier metrics.json to compare with")
    ev.add_argument("--min", action="append", default=[], metavar="KEY=VALUE", help="fail (exit 1) below this, e.g. retrieval.hit@5=0.9")
    ev.set_defaults(func=cmd_eval)
    bench = common(sub.add_parser("bench", help="measure build time, latency and memory"))
    bench.add_argument("--set", type=Path, default=Path("eval/sets/dev.jsonl"), help="questions to time")
    bench.add_argument("--repeats", type=int, default=3)
    bench.set_defaults(func=cmd_bench)
    serve = sub.add_parser("serve", help="start the chat UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7860)
    serve.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (QAError, ImportError, OSError, ValueError) as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
