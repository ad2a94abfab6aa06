"""`qa bench [--out DIR] [--quick]`: what the system costs, measured on this machine, with a progress
line per phase; writes DIR/bench.json and DIR/bench.md.

Phases (medians over repeats where a phase repeats; bench.md says what was measured and what is
extrapolated):

    build        the report(s) of seeds_dir indexed from nothing (1 run: it is the slow part)
    embed        the same passages embedded alone, as the build batches them → build_ratio
    query        end-to-end `ask` over dev questions vs the question's embedding alone → query_ratio_p50
    cold start   `python -m qa ask --json …` in a subprocess over the built index → cold_start_s
    corpus       the report and N - 1 synthetic ones (qa.synthetic) built and queried; their dense vectors are the real
                 report's e5 vectors of the matching passage plus noise (embedding them would take hours
                 here), everything else (chunking, BM25, FAISS, sentences, answers) runs for real
    ann          FAISS flat vs HNSW at 10,000 rows (the corpus's reused vectors and random unit vectors):
                 recall@10 against flat, p95 per-question search time
    incremental  one new document added to the N-document corpus: the vector cache (qa/stores/vector_cache)
                 embeds only its passages, with the real embedder
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .config import PROJECT_ROOT, Config

Progress = Callable[[str], None]
DEV_SET = PROJECT_ROOT / "eval" / "sets" / "dev.jsonl"
# Two-character place names for the synthetic reports (pairs of these characters, in order).
_PLACE_CHARS = "东西南北中新安宜孟汝栾嵩伊洛川平阳山河清"
NOISE = 0.01  # per-dimension Gaussian noise added to reused vectors (then re-normalised)
ANN_ROWS = 10_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def _places(n: int) -> list[str]:
    out = [a + b for a in _PLACE_CHARS for b in _PLACE_CHARS if a != b and a + b not in ("偃师", "洛阳")]
    if n > len(out):
        raise ValueError(f"at most {len(out)} synthetic places")
    return out[:n]


class ReusedVectors:
    """A stand-in embedder for synthetic passages: the real vector of the real passage (or sentence) that
    reads the same once figures and place names are ignored, else a real vector picked by the text's hash;
    plus Gaussian noise, re-normalised. Not an embedding of the synthetic text: a way to give 100 reports
    realistic vectors without embedding them (e5 does ~5-10 texts/s on 2 cores)."""

    def __init__(self, name: str, texts: list[str], vectors: np.ndarray, ignore: str) -> None:
        self.name, self.dim = name, int(vectors.shape[1])
        self._strip = re.compile(f"[0-9.%％{re.escape(ignore)}]")
        self._by_key = {self._key(t): i for i, t in enumerate(texts)}
        self._vectors = vectors

    def _key(self, text: str) -> str:
        return self._strip.sub("", text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        rows = []
        for t in texts:
            h = int.from_bytes(hashlib.sha256(t.encode("utf-8")).digest()[:8], "little")
            i = self._by_key.get(self._key(t), h % len(self._vectors))
            noise = np.random.default_rng(h).normal(0, NOISE, self.dim).astype(np.float32)
            v = self._vectors[i] + noise
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32)

    embed_queries = embed_passages


def _tokenizer(config: Config):
    from .lexical import Tokenizer, parse_synonyms, synonyms_text

    table = synonyms_text(Path(config.synonyms) if config.synonyms else None)
    return Tokenizer(parse_synonyms(table)), hashlib.sha256(table.encode("utf-8")).hexdigest()


def _embed_alone(embedder, texts: list[str]) -> float:
    from .store import EMBED_BATCH

    t = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[i : i + EMBED_BATCH])
    return time.perf_counter() - t


def _questions(n: int) -> list[str]:
    with DEV_SET.open(encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    return [it["question"] for it in items if it.get("answerable", True)][:n]


def _latencies(assistant, questions: list[str], repeats: int) -> tuple[list[float], list[list[float]]]:
    """Per-repeat lists of end-to-end ask times (ms); returns (all, per repeat)."""
    per: list[list[float]] = []
    for _ in range(repeats):
        run = []
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q)
            run.append((time.perf_counter() - t) * 1000)
        per.append(run)
    return [x for r in per for x in r], per


def _cold_start(index_dir: Path, seeds: Path, question: str, repeats: int) -> tuple[list[float], float]:
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "QA_SEEDS_DIR": str(seeds), "QA_STORE": "local"}
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qa", "ask", "--json", question], env=env,
                              capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - t)
        if done.returncode != 0 or "answer" not in done.stdout:
            raise RuntimeError(f"cold start run failed: {done.stderr[-500:]}")
    return times, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _ann(base: np.ndarray, queries: np.ndarray, k: int = 10) -> dict[str, float]:
    import faiss

    d = base.shape[1]
    flat = faiss.IndexFlatIP(d)
    flat.add(base)
    t = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 80
    hnsw.add(base)
    hnsw_build = time.perf_counter() - t
    hnsw.hnsw.efSearch = 64
    out: dict[str, Any] = {"rows": int(base.shape[0]), "queries": int(queries.shape[0]), "hnsw_build_s": round(hnsw_build, 2)}
    found = {}
    for name, index in (("flat", flat), ("hnsw", hnsw)):
        times, ids = [], []
        for q in queries:
            t = time.perf_counter()
            _, i = index.search(q[None, :], k)
            times.append((time.perf_counter() - t) * 1000)
            ids.append(i[0])
        found[name] = ids
        out[f"{name}_p50_ms"] = round(statistics.median(times), 3)
        out[f"{name}_p95_ms"] = round(_pct(times, 0.95), 3)
    out["recall_at_10"] = round(float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found["flat"], found["hnsw"])])), 4)
    return out


def run_bench(config: Config, out: Path, quick: bool = False, progress: Progress = print,
              docs: int | None = None) -> dict[str, Any]:
    from .assistant import Assistant
    from .embedders import get_embedder
    from .sentences import sentence_texts
    from .store import build, index_path, passage_text
    from .stores.vector_cache import FOLDER, CachingEmbedder
    from .synthetic import synthetic_report

    sizes = {"questions": 20 if quick else 60, "repeats": 2 if quick else 3, "cold": 2 if quick else 3,
             "docs": docs or (20 if quick else 100), "corpus_questions": 10 if quick else 30}
    config = config.replace(store="local")
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick,
                              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                          "python": platform.python_version()},
                              "embedder": config.embedder, "sizes": sizes}
    started = time.perf_counter()
    step = iter(range(1, 8))

    def phase(text: str) -> None:
        progress(f"[bench {next(step)}/7 · {time.perf_counter() - started:5.0f} s] {text}")

    embedder = get_embedder(config.embedder)
    tokenizer, sha = _tokenizer(config)
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
        phase(f"embedding the same {len(passages)} passages alone …")
        embed_s = _embed_alone(embedder, passages)
        result["build"] = {"chunks": len(passages), "sentences": len(sentences), "build_s": round(build_s, 2),
                           "embed_in_build_s": index.manifest["build"]["embed_seconds"],
                           "embed_passages_alone_s": round(embed_s, 2),
                           "passages_per_second": round(len(passages) / embed_s, 2),
                           "build_ratio": round(build_s / embed_s, 2),
                           "build_ratio_vs_passages_and_sentences": round(
                               build_s / (embed_s * (len(passages) + len(sentences)) / len(passages)), 2)}

        # 3. query
        questions = _questions(sizes["questions"])
        phase(f"timing {len(questions)} dev questions × {sizes['repeats']}: ask vs the question's embedding alone …")
        assistant = Assistant(real, index, embedder, tokenizer)
        assistant.ask(questions[0])  # warm-up
        _, per = _latencies(assistant, questions, sizes["repeats"])
        embeds = []
        for _ in range(sizes["repeats"]):
            run = []
            for q in questions:
                t = time.perf_counter()
                embedder.embed_queries([tokenizer.expand(q)])
                run.append((time.perf_counter() - t) * 1000)
            embeds.append(run)
        ask_p50 = statistics.median(statistics.median(r) for r in per)
        embed_p50 = statistics.median(statistics.median(r) for r in embeds)
        result["query"] = {"questions": len(questions), "repeats": sizes["repeats"],
                           "ask_p50_ms": round(ask_p50, 1),
                           "ask_p95_ms": round(statistics.median(_pct(r, 0.95) for r in per), 1),
                           "embed_query_p50_ms": round(embed_p50, 1),
                           "query_ratio_p50": round(ask_p50 / embed_p50, 2)}
        query_vectors = embedder.embed_queries([tokenizer.expand(q) for q in questions])

        # 4. cold start
        phase(f"cold start × {sizes['cold']}: `python -m qa ask --json …` in a fresh process …")
        colds, child_rss = _cold_start(real.index_dir, seeds, questions[0], sizes["cold"])
        result["cold_start"] = {"runs": [round(c, 2) for c in colds], "cold_start_s": round(statistics.median(colds), 2),
                                "peak_rss_mb": round(child_rss)}
        result["peak_rss_mb_one_report"] = round(_rss_mb())

        # 5. synthetic corpus
        n = sizes["docs"]
        phase(f"writing {n - 1} synthetic reports beside the real one and building their index (vectors reused, see bench.md) …")
        corpus = tmp / "corpus"
        corpus.mkdir()
        places = _places(n + 1)
        # The real report (the dev questions are about it) and n - 1 synthetic ones about other places.
        (corpus / report.name).write_text(base_text, encoding="utf-8")
        for i, place in enumerate(places[: n - 1]):
            (corpus / f"synthetic-{i:04d}.txt").write_text(
                synthetic_report(base_text, place, "洛阳", seed=i, level="县"), encoding="utf-8")
        vectors = index.vectors.reconstruct_n(0, index.vectors.ntotal)
        reused = ReusedVectors(embedder.name, passages + sentences, np.vstack([vectors, index.sentences.vectors]),
                               ignore="".join(sorted(set("".join(places)) | set("偃师洛阳区县"))) + "（）合成测试数据")
        syn = config.replace(seeds_dir=corpus, index_dir=tmp / "corpus-index")
        cache = CachingEmbedder(reused, index_path(syn, embedder.name) / FOLDER)
        t = time.perf_counter()
        big = build(syn, cache, tokenizer, sha, lambda _m: None)
        corpus_build_s = time.perf_counter() - t
        cache.save()
        texts = len(big.chunks) + big.sentences.vectors.shape[0]
        rate = len(passages) / embed_s
        big_assistant = Assistant(syn, big, embedder, tokenizer)
        cq = questions[: sizes["corpus_questions"]]
        big_assistant.ask(cq[0])
        lat, _ = _latencies(big_assistant, cq, 1)
        result["corpus"] = {"documents": n, "chunks": len(big.chunks), "texts_embedded": texts,
                            "build_s_vectors_reused": round(corpus_build_s, 1),
                            "embedding_s_extrapolated": round(texts / rate),
                            "ask_p50_ms": round(statistics.median(lat), 1), "ask_p95_ms": round(_pct(lat, 0.95), 1),
                            "questions": len(cq), "peak_rss_mb": round(_rss_mb())}

        # 6. ANN
        phase(f"FAISS flat vs HNSW at {ANN_ROWS:,} rows …")
        rows = big.vectors.reconstruct_n(0, min(ANN_ROWS, big.vectors.ntotal))
        while rows.shape[0] < ANN_ROWS:  # quick sizes: more noisy copies
            extra = rows[: ANN_ROWS - rows.shape[0]] + np.random.default_rng(rows.shape[0]).normal(0, NOISE, (min(rows.shape[0], ANN_ROWS - rows.shape[0]), rows.shape[1])).astype(np.float32)
            rows = np.vstack([rows, extra / np.linalg.norm(extra, axis=1, keepdims=True)])
        rnd = np.random.default_rng(0).normal(size=(ANN_ROWS, rows.shape[1])).astype(np.float32)
        rnd /= np.linalg.norm(rnd, axis=1, keepdims=True)
        result["ann"] = {"threshold_chunks": config.ann_min_chunks,
                         "reused_vectors": _ann(np.ascontiguousarray(rows, dtype=np.float32), query_vectors),
                         "random_vectors": _ann(rnd, query_vectors)}

        # 7. incremental
        extra_text = base_text[: base_text.index("二、")] if "二、" in base_text[200:] else base_text[:4000]
        new = corpus / "synthetic-new.txt"
        new.write_text(synthetic_report(extra_text, places[n], "洛阳", seed=10_000, level="县"), encoding="utf-8")
        phase(f"adding one document ({len(extra_text)} chars) to the {n}-document corpus: only its passages embedded, with {embedder.name} …")
        cache = CachingEmbedder(embedder, index_path(syn, embedder.name) / FOLDER)  # the cache written above, the real embedder behind it
        cached = len(cache)
        t = time.perf_counter()
        grown = build(syn, cache, tokenizer, sha, lambda _m: None)
        incremental_s = time.perf_counter() - t
        cache.save()
        result["incremental"] = {"documents": n + 1, "chunks": len(grown.chunks), "cached_before": cached,
                                 "embedded": cache.misses, "from_cache": cache.hits,
                                 "embed_s": round(cache.inner_seconds, 2), "incremental_s": round(incremental_s, 1),
                                 "full_reembed_s_extrapolated": round((cache.hits + cache.misses) / rate)}
    result["peak_rss_mb"] = round(_rss_mb())
    result["total_s"] = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    (out / "bench.md").write_text(markdown(result), "utf-8")
    progress(f"[bench done · {result['total_s']:.0f} s] {out / 'bench.json'}, {out / 'bench.md'}")
    return result


def markdown(r: dict[str, Any]) -> str:
    b, q, c, s, a, i = r["build"], r["query"], r["cold_start"], r["corpus"], r["ann"], r["incremental"]
    hr, ar = a["reused_vectors"], a["random_vectors"]
    return f"""# qa bench — {r['date']}{' (--quick)' if r['quick'] else ''}

Machine: {r['machine']['cpus']} CPU cores ({r['machine']['platform']}, Python {r['machine']['python']}); embedder {r['embedder']}.

| figure | value | measured how |
|---|---|---|
| build_ratio | **{b['build_ratio']}** | index build {b['build_s']} s ÷ embedding its {b['chunks']} passages alone {b['embed_passages_alone_s']} s (1 run each). The build also embeds {b['sentences']} sentences: against passages + sentences the ratio is {b['build_ratio_vs_passages_and_sentences']} |
| query_ratio_p50 | **{q['query_ratio_p50']}** | ask p50 {q['ask_p50_ms']} ms ÷ question embedding alone p50 {q['embed_query_p50_ms']} ms ({q['questions']} dev questions, median of {q['repeats']} repeats; ask p95 {q['ask_p95_ms']} ms) |
| cold_start_s | **{c['cold_start_s']}** | `python -m qa ask --json …` in a subprocess, process start to answer, index built (median of {len(c['runs'])}: {c['runs']}); its peak RSS {c['peak_rss_mb']} MB |
| peak_rss_mb | **{r['peak_rss_mb']}** | this process at the end (one report: {r['peak_rss_mb_one_report']} MB; with the {s['documents']}-report corpus loaded: {s['peak_rss_mb']} MB) |
| corpus: {s['documents']} reports (the real one + {s['documents'] - 1} synthetic) | {s['chunks']:,} chunks | build {s['build_s_vectors_reused']} s with **reused vectors** (chunking, BM25, FAISS, files: measured); embedding its {s['texts_embedded']:,} passages and sentences with {r['embedder']} would add ≈ {s['embedding_s_extrapolated']:,} s (**extrapolated** at {b['passages_per_second']} passages/s); ask p50 {s['ask_p50_ms']} ms, p95 {s['ask_p95_ms']} ms ({s['questions']} dev questions about 偃师, 1 pass: retrieval scores all {s['chunks']:,} chunks, then keeps the named report's) |
| ann_recall_at_10 | **{hr['recall_at_10']}** (random vectors: {ar['recall_at_10']}) | HNSW (M 32, efSearch 64) vs FAISS flat at {hr['rows']:,} rows, {hr['queries']} real question vectors; rows are the corpus's reused vectors (real e5 vectors + noise σ {NOISE}) and, separately, random unit vectors |
| query_p95_ms_at_10k | **flat {hr['flat_p95_ms']} / HNSW {hr['hnsw_p95_ms']}** | one question's top-10 search (p50 flat {hr['flat_p50_ms']} / HNSW {hr['hnsw_p50_ms']} ms; random rows: flat {ar['flat_p95_ms']} / HNSW {ar['hnsw_p95_ms']} ms p95); HNSW build {hr['hnsw_build_s']} s |
| incremental_s | **{i['incremental_s']}** | one new document added to the {s['documents']}-report corpus and the index rebuilt: the vector cache (sha256 of each text, `vector-cache/vectors.npy` + `keys.json`) served {i['from_cache']:,} texts, {i['embedded']} were embedded with {r['embedder']} ({i['embed_s']} s, measured); re-embedding everything would take ≈ {i['full_reembed_s_extrapolated']:,} s (extrapolated). Chunking, BM25 and FAISS are still rebuilt whole |

Not measured: a 1,000-report corpus (≈ {s['chunks'] * 10:,} chunks; its build without embedding scales about linearly from the
{s['documents']}-report figure, ≈ {round(s['build_s_vectors_reused'] * 10)} s, and embedding it would take ≈ {round(s['embedding_s_extrapolated'] * 10 / 3600, 1)} h here: extrapolated, not run).
The index searches FAISS flat (exact) at every size today; above `ann_min_chunks` ({a['threshold_chunks']:,} chunks) an HNSW index
is the option this measures: the recall above for the speed above. Total bench time {r['total_s']} s.
"""
