"""`qa` command line: build, ask, show, eval, serve. A thin layer over `qa.Assistant`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from .answerers import ANSWERERS, STYLES
from .config import Config
from .errors import QAError, QuestionError
from .evaluation import SPLITS, EvaluationError
from .retrieval import MODES
from .validation import check_top_k

# Keys every metrics.json written by `qa eval` has; a --compare file without them is something else.
METRICS_KEYS = ("n", "retrieval", "answer", "config")


def _config(args: argparse.Namespace) -> Config:
    return Config.from_env(
        embedder=getattr(args, "embedder", None), seeds_dir=getattr(args, "seeds", None),
        index_dir=getattr(args, "index", None), mode=getattr(args, "mode", None),
        answerer=getattr(args, "answerer", None), answer_style=getattr(args, "style", None),
        reranker=getattr(args, "reranker", None),
        reranker_model=getattr(args, "reranker_model", None), llm_model=getattr(args, "llm_model", None),
        llm_base_url=getattr(args, "llm_base_url", None), store=getattr(args, "store", None),
    )


def _assistant(args: argparse.Namespace, rebuild: bool = False, **kwargs: object):
    from .assistant import Assistant

    return Assistant.load(_config(args), progress=lambda m: print(m, file=sys.stderr), rebuild=rebuild, **kwargs)


def cmd_build(args: argparse.Namespace) -> int:
    assistant = _assistant(args, rebuild=True)
    counts = assistant.manifest["counts"]
    print(f"{counts['chunks']} chunks from {counts['documents']} document(s) → {assistant.index.path}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    answer = _assistant(args).ask(args.question, top_k=args.k)
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


def _check_eval_paths(out: Path, compare: Path | None) -> None:
    """Fails before a long run, not after it, on an --out that is a file or a --compare that is no metrics.json."""
    if out.exists() and not out.is_dir():
        raise EvaluationError(f"--out {out} is a file; give a folder for metrics.json, results.jsonl and report.md")
    if compare is None:
        return
    metrics = compare / "metrics.json" if compare.is_dir() else compare
    try:
        data = json.loads(metrics.read_text("utf-8"))
    except FileNotFoundError:
        raise EvaluationError(f"--compare {metrics}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"--compare {metrics}: not a metrics.json ({exc})") from None
    missing = [k for k in METRICS_KEYS if not isinstance(data, dict) or k not in data]
    if missing:
        raise EvaluationError(f"--compare {metrics}: not a metrics.json written by `qa eval` (no {', '.join(missing)})")


def cmd_eval(args: argparse.Namespace) -> int:
    from .eval_run import evaluate

    _check_eval_paths(args.out, args.compare)
    _, failures = evaluate(_assistant(args), args.set, args.out, top_k=args.top_k, split=args.split,
                           compare_path=args.compare, minimums=args.min)
    return 1 if failures else 0


def cmd_fit(args: argparse.Namespace) -> int:
    from .answerability import unfitted
    from .fit import fit_model
    from .params import AnswerParams

    # The features do not depend on the model, so the fit starts from one that knows nothing.
    assistant = _assistant(args, params=AnswerParams(model=unfitted()))
    if args.ablate:
        from .answerability import FEATURES
        from .fit import QUESTION_VECTOR, ablation

        # Each group of signals left out in turn, and each kept alone.
        groups = {"semantic": ("semantic", "semantic_z", "dense_rank"), "focus": ("focus", "focus_known"),
                  "lexical": ("coverage", "absent", "margin"), "characters": ("char_coverage",),
                  "asked": ("unit_found", "period_found")}
        subsets = {"all": FEATURES, "all + question vector": (*FEATURES, QUESTION_VECTOR),
                   **{f"without {g}": [f for f in FEATURES if f not in cols] for g, cols in groups.items()},
                   **{f"{g} only": cols for g, cols in groups.items()}}
        print(json.dumps(ablation(assistant, args.sets, args.ablate, subsets), ensure_ascii=False, indent=1))
        return 0
    model = fit_model(assistant, args.sets, args.out)
    vector = model["question_vector"]
    print(json.dumps({k: model[k] for k in ("n", "cv", "coef", "threshold", "answerable_share_at_model")}
                     | {"question_vector": {k: vector[k] for k in ("embedder", "C", "cv", "threshold")}},
                     ensure_ascii=False, indent=1))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .evaluation import load_set, select_split
    from .rerankers.cross_encoder import calibrate

    items, _ = load_set(args.set)
    result = calibrate(_assistant(args), select_split(items, args.split))
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"export QA_RERANKER_SCALE={result['reranker_scale']} QA_RERANKER_SHIFT={result['reranker_shift']}", file=sys.stderr)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    run_bench(_config(args), args.out, quick=args.quick, progress=lambda m: print(m, file=sys.stderr, flush=True),
              docs=args.docs)
    print((args.out / "bench.md").read_text("utf-8"))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Runs ui.py as `python ui.py` would, so the UI keeps its launch under `__main__`."""
    import runpy

    ui = Path(__file__).resolve().parent.parent / "ui.py"
    sys.argv = [str(ui), "--host", args.host, "--port", str(args.port), *args.ui_args]
    runpy.run_path(str(ui), run_name="__main__")
    return 0


def _top_k(text: str) -> int:
    """argparse type of -k: a whole number from 1 to Config.max_top_k, else argparse's usage error."""
    try:
        value: Any = int(text)
    except ValueError:
        value = text
    try:
        return check_top_k(value, Config.from_env().max_top_k)
    except QuestionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Ask questions about government work reports, with cited evidence.")
    sub = p.add_subparsers(dest="command", required=True)

    def models(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """Which answerer and reranker, and their models (QA_LLM_*, QA_RERANKER_MODEL otherwise)."""
        sp.add_argument("--answerer", choices=ANSWERERS.names(), help="which answerer fills the slot (default extractive)")
        sp.add_argument("--reranker", help="window (default), none or cross-encoder")
        sp.add_argument("--reranker-model", help="cross-encoder: Hugging Face id or local path (QA_RERANKER_MODEL)")
        sp.add_argument("--llm-model", help="openai: model name at the endpoint; transformers: HF id or path (QA_LLM_MODEL)")
        sp.add_argument("--llm-base-url", help="openai: OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (QA_LLM_BASE_URL)")
        return sp

    def common(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--embedder", help="e5-small (default), use-multilingual, or st:<HF id or path>")
        sp.add_argument("--seeds", type=Path, help="folder of .txt/.md documents (default: seeds/)")
        sp.add_argument("--index", type=Path, help="index folder (default: index/)")
        sp.add_argument("--store", help="retrieval back end: local (FAISS + bm25s, default) or milvus (QA_STORE; QA_MILVUS_URI)")
        return sp

    common(sub.add_parser("build", help="(re)build the index")).set_defaults(func=cmd_build)
    ask = common(sub.add_parser("ask", help="ask one question"))
    ask.add_argument("question")
    ask.add_argument("-k", type=_top_k, default=None, help="passages to retrieve (default 5, at most QA_MAX_TOP_K=20)")
    ask.add_argument("--mode", choices=MODES)
    ask.add_argument("--style", choices=STYLES, help="sentence (default: labelled with its period) or clauses (bare evidence)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    models(ask)
    ask.set_defaults(func=cmd_ask)
    show = common(sub.add_parser("show", help="print one chunk by id"))
    show.add_argument("chunk_id")
    show.set_defaults(func=cmd_show)
    ev = common(sub.add_parser("eval", help="run a QA set and write metrics and a report"))
    ev.add_argument("set", type=Path)
    ev.add_argument("--out", type=Path, default=Path("eval/runs/latest"))
    ev.add_argument("--top-k", type=_top_k, default=5)
    ev.add_argument("--mode", choices=MODES)
    ev.add_argument("--split", choices=SPLITS, default="all")
    ev.add_argument("--compare", type=Path, help="an earlier metrics.json to compare with")
    ev.add_argument("--min", action="append", default=[], metavar="KEY=VALUE", help="fail (exit 1) below this, e.g. retrieval.hit@5=0.9")
    models(ev)
    ev.set_defaults(func=cmd_eval)
    cal = common(sub.add_parser("calibrate", help="fit the cross-encoder score's logistic scale and shift on a QA set"))
    cal.add_argument("set", type=Path)
    cal.add_argument("--reranker-model", help="cross-encoder: Hugging Face id or local path (QA_RERANKER_MODEL)")
    cal.add_argument("--split", choices=SPLITS, default="tune")
    cal.set_defaults(func=cmd_calibrate, reranker="cross-encoder")
    fit = common(sub.add_parser("fit", help="fit the answer-or-refuse model on QA sets (cross-validated)"))
    fit.add_argument("sets", type=Path, nargs="+", help="QA sets to fit on (never the sets you report)")
    fit.add_argument("--out", type=Path, default=None, help="model file (default: the bundled qa/data/answerability.json)")
    fit.add_argument("--ablate", nargs="+", metavar="SET", help="instead of fitting: refit per group of signals and judge the decisions on these sets")
    fit.set_defaults(func=cmd_fit)
    bench = common(sub.add_parser("bench", help="measure build and query cost, cold start, memory, a synthetic corpus, ANN, incremental builds"))
    bench.add_argument("--out", type=Path, default=Path("eval/runs/bench"), help="folder for bench.json and bench.md")
    bench.add_argument("--quick", action="store_true", help="smaller sizes (first two sections, 20 synthetic reports)")
    bench.add_argument("--docs", type=int, default=None, help="synthetic reports in the corpus (default 100, 20 with --quick)")
    bench.set_defaults(func=cmd_bench)
    serve = sub.add_parser("serve", help="start the chat UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7860)
    serve.add_argument("ui_args", nargs=argparse.REMAINDER, help="passed on to ui.py (--auth user:pw, --debug, --concurrency N)")
    serve.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a reader that went away shows here, while it can still be handled
        return code
    except BrokenPipeError:
        # `qa ask … | head -1`: the reader closed the pipe. Stop quietly, as the Python docs advise: point
        # stdout at /dev/null so the interpreter's own flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (QAError, ImportError, OSError, ValueError) as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
