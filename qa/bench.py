"""`qa bench [--out DIR] [--quick] [--docs N]`: what the system costs, measured on this machine, with a
progress line per phase; writes DIR/bench.json and DIR/bench.md (qa/bench_report.py).

Phases (medians over repeats where a phase repeats; bench.md says what was measured and what is
extrapolated):

    build        the report(s) of seeds_dir indexed from nothing with `qa build`'s code (1 run: it is the slow part)
    embed        the same passages embedded alone, as the build batches them → build_ratio; then the passages and
                 sentences the build embedded, alone → build_ratio_vs_passages_and_sentences
    query        end-to-end `ask` over dev questions vs the question's embedding alone → query_ratio_p50
    cold start   `python -m qa ask --json …` in a subprocess over the built index → cold_start_s
    corpus       the report and N - 1 synthetic ones (qa.synthetic) built and queried; their dense vectors are the real
                 report's e5 vectors of the matching passage plus noise (embedding them would take hours
                 here), everything else (chunking, BM25, FAISS flat or HNSW, sentences, answers) runs for real
    ann          FAISS flat vs HNSW at 10,000 rows (the corpus's reused vectors and random unit vectors):
                 recall@10 against flat, p95 per-question search time
    incremental  one new document added to the N-document corpus and `qa build`'s code run again with the real
                 embedder: its vector cache (qa/stores/vector_cache.py) serves every unchanged text
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .bench_report import markdown
from .bench_tools import (ANN_ROWS, NOISE, ReusedVectors, ann, cold_start, embed_alone, latencies, pct, places,
                          questions as dev_questions, rss_mb, tokenizer as tokenizer_of)
from .config import Config

__all__ = ["run_bench", "markdown", "ReusedVectors", "ann"]
Progress = Callable[[str], None]


def run_bench(config: Config, out: Path, quick: bool = False, progress: Progress = print,
              docs: int | None = None) -> dict[str, Any]:
    from .assistant import Assistant
    from .embedders import get_embedder
    from .sentences import sentence_texts
    from .store import build, passage_text
    from .synthetic import synthetic_report

    sizes = {"questions": 20 if quick else 60, "repeats": 2 if quick else 3, "cold": 2 if quick else 3,
             "docs": docs or (20 if quick else 100), "corpus_questions": 10 if quick else 30}
    config = config.replace(store="local")
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick,
                              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                          "python": platform.python_version(), "load_before": _load()},
                              "embedder": config.embedder, "sizes": sizes}
    started = time.perf_counter()
    step = iter(range(1, 8))

    def phase(text: str) -> None:
        progress(f"[bench {next(step)}/7 · {time.perf_counter() - started:5.0f} s] {text}")

    embedder = get_embedder(config.embedder)
    tokenizer, sha = tokenizer_of(config)
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        seeds = tmp / "seeds"
        seeds.mkdir()
        report = next(p for p in sorted(Path(config.seeds_dir).glob("*.txt")))
        base_text = report.read_text(encoding="utf-8")
        if quick:  # the report's first two sections: same structure, a quarter of the passages
            base_text = base_text[: base_text.index("三、2026")] if "三、2026" in base_text else base_text[:8000]
        (seeds / report.name).write_text(base_text, encoding="utf-8")
        real = config.replace(seeds_dir=seeds, index_dir=tmp / "index")

        # 1. build
        phase(f"building the index of {report.name}{' (first two sections)' if quick else ''} from nothing …")
        t = time.perf_counter()
        index = build(real, embedder, tokenizer, sha, lambda _m: None)
        build_s = time.perf_counter() - t
        passages = [passage_text(c) for c in index.chunks]
        sentences = sentence_texts(index.chunks)

        # 2. embedding alone
        both = list(dict.fromkeys(passages + sentences))  # what the build embeds: each distinct text once
        phase(f"embedding the same {len(passages)} passages alone, then all {len(both)} passages and sentences …")
        embed_s = embed_alone(embedder, passages)
        both_s = embed_alone(embedder, both)
        result["build"] = {"chunks": len(passages), "sentences": len(sentences), "texts_embedded": len(both),
                           "build_s": round(build_s, 2),
                           "embed_in_build_s": index.manifest["build"]["embed_seconds"],
                           "embed_passages_alone_s": round(embed_s, 2),
                           "embed_passages_and_sentences_alone_s": round(both_s, 2),
                           "passages_per_second": round(len(passages) / embed_s, 2),
                           "build_ratio": round(build_s / embed_s, 2),
                           "build_ratio_vs_passages_and_sentences": round(build_s / both_s, 2)}

        # 3. query
        questions = dev_questions(sizes["questions"])
        phase(f"timing {len(questions)} dev questions × {sizes['repeats']}: ask vs the question's embedding alone …")
        assistant = Assistant(real, index, embedder, tokenizer)
        assistant.ask(questions[0])  # warm-up
        _, per = latencies(assistant, questions, sizes["repeats"])
        embeds = []
        queries = assistant.retriever.embedder  # the path `ask` takes (qa/query_batcher.py)
        for _ in range(sizes["repeats"]):
            run = []
            for q in questions:
                t = time.perf_counter()
                queries.embed_queries([tokenizer.expand(q)])
                run.append((time.perf_counter() - t) * 1000)
            embeds.append(run)
        ask_p50 = statistics.median(statistics.median(r) for r in per)
        embed_p50 = statistics.median(statistics.median(r) for r in embeds)
        result["query"] = {"questions": len(questions), "repeats": sizes["repeats"],
                           "ask_p50_ms": round(ask_p50, 1),
                           "ask_p95_ms": round(statistics.median(pct(r, 0.95) for r in per), 1),
                           "embed_query_p50_ms": round(embed_p50, 1),
                           "query_ratio_p50": round(ask_p50 / embed_p50, 2)}
        query_vectors = embedder.embed_queries([tokenizer.expand(q) for q in questions])

        # 4. cold start
        phase(f"cold start × {sizes['cold']}: `python -m qa ask --json …` in a fresh process …")
        colds, child_rss = cold_start(real.index_dir, seeds, questions[0], sizes["cold"])
        result["cold_start"] = {"runs": [round(c, 2) for c in colds], "cold_start_s": round(statistics.median(colds), 2),
                                "peak_rss_mb": round(child_rss)}
        result["peak_rss_mb_one_report"] = round(rss_mb())

        # 5. synthetic corpus
        n = sizes["docs"]
        phase(f"writing {n - 1} synthetic reports beside the real one and building their index (vectors reused, see bench.md) …")
        corpus = tmp / "corpus"
        corpus.mkdir()
        names = places(n + 1)
        # The real report (the dev questions are about it) and n - 1 synthetic ones about other places.
        (corpus / report.name).write_text(base_text, encoding="utf-8")
        for i, place in enumerate(names[: n - 1]):
            (corpus / f"synthetic-{i:04d}.txt").write_text(
                synthetic_report(base_text, place, "洛阳", seed=i, level="县"), encoding="utf-8")
        vectors = index.vectors.reconstruct_n(0, index.vectors.ntotal)
        reused = ReusedVectors(embedder.name, passages + sentences, np.vstack([vectors, index.sentences.vectors]),
                               ignore="".join(sorted(set("".join(names)) | set("偃师洛阳区县"))) + "（）合成测试数据")
        syn = config.replace(seeds_dir=corpus, index_dir=tmp / "corpus-index")
        t = time.perf_counter()
        big = build(syn, reused, tokenizer, sha, lambda _m: None)  # writes the vector cache phase 7 starts from
        corpus_build_s = time.perf_counter() - t
        texts = big.manifest["build"]["embedded"]  # the corpus's distinct passages and sentences
        rate = len(passages) / embed_s
        both_rate = len(both) / both_s  # texts (passages and sentences) per second
        big_assistant = Assistant(syn, big, embedder, tokenizer)
        cq = questions[: sizes["corpus_questions"]]
        big_assistant.ask(cq[0])
        lat, _ = latencies(big_assistant, cq, 1)
        result["corpus"] = {"documents": n, "chunks": len(big.chunks), "texts": big.manifest["build"]["texts"],
                            "texts_embedded": texts,
                            "vector_index": big.manifest["vector_index"]["kind"],
                            "build_s_vectors_reused": round(corpus_build_s, 1),
                            "reused_vectors_s": big.manifest["build"]["embed_seconds"],
                            "embedding_s_extrapolated": round(texts / both_rate),
                            "ask_p50_ms": round(statistics.median(lat), 1), "ask_p95_ms": round(pct(lat, 0.95), 1),
                            "questions": len(cq), "peak_rss_mb": round(rss_mb())}

        # 6. ANN
        phase(f"FAISS flat vs HNSW at {ANN_ROWS:,} rows …")
        rows = big.vectors.reconstruct_n(0, min(ANN_ROWS, big.vectors.ntotal))
        while rows.shape[0] < ANN_ROWS:  # quick sizes: more noisy copies
            extra = rows[: ANN_ROWS - rows.shape[0]] + np.random.default_rng(rows.shape[0]).normal(0, NOISE, (min(rows.shape[0], ANN_ROWS - rows.shape[0]), rows.shape[1])).astype(np.float32)
            rows = np.vstack([rows, extra / np.linalg.norm(extra, axis=1, keepdims=True)])
        rnd = np.random.default_rng(0).normal(size=(ANN_ROWS, rows.shape[1])).astype(np.float32)
        rnd /= np.linalg.norm(rnd, axis=1, keepdims=True)
        result["ann"] = {"threshold_chunks": config.ann_min_chunks, "m": config.ann_hnsw_m, "ef_search": config.ann_ef_search,
                         "reused_vectors": ann(np.ascontiguousarray(rows, dtype=np.float32), query_vectors, config=config),
                         "random_vectors": ann(rnd, query_vectors, config=config)}

        # 7. incremental
        extra_text = base_text[: base_text.index("二、")] if "二、" in base_text[200:] else base_text[:4000]
        new = corpus / "synthetic-new.txt"
        new.write_text(synthetic_report(extra_text, names[n], "洛阳", seed=10_000, level="县"), encoding="utf-8")
        phase(f"adding one document ({len(extra_text)} chars) to the {n}-document corpus and rebuilding with {embedder.name} …")
        t = time.perf_counter()
        grown = build(syn, embedder, tokenizer, sha, lambda _m: None)
        incremental_s = time.perf_counter() - t
        made = grown.manifest["build"]
        result["incremental"] = {"documents": n + 1, "chunks": len(grown.chunks), "texts": made["texts"],
                                 "embedded": made["embedded"], "from_cache": made["from_cache"],
                                 "embed_s": made["embed_seconds"], "incremental_s": round(incremental_s, 1),
                                 "vector_index": grown.manifest["vector_index"]["kind"],
                                 # its distinct texts: the corpus's (all still there) and the new ones
                                 "full_reembed_s_extrapolated": round((texts + made["embedded"]) / both_rate)}
        result["rates"] = {"passages_per_second": round(rate, 2), "texts_per_second": round(both_rate, 2)}
    result["machine"]["load_after"] = _load()
    result["peak_rss_mb"] = round(rss_mb())
    result["total_s"] = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    (out / "bench.md").write_text(markdown(result), "utf-8")
    progress(f"[bench done · {result['total_s']:.0f} s] {out / 'bench.json'}, {out / 'bench.md'}")
    return result


def _load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (the machine is shared: every time depends on them)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
