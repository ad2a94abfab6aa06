"""bench.md: the figures of one `qa bench` run, with what was measured and what is extrapolated."""
from __future__ import annotations

from typing import Any

from .bench_tools import NOISE


def markdown(r: dict[str, Any]) -> str:
    b, q, c, s, a, i = r["build"], r["query"], r["cold_start"], r["corpus"], r["ann"], r["incremental"]
    hr, ar, m = a["reused_vectors"], a["random_vectors"], r["machine"]
    load = f"; load average before {m['load_before']}, after {m['load_after']}" if m.get("load_before") else ""
    return f"""# qa bench — {r['date']}{' (--quick)' if r['quick'] else ''}

Machine: {m['cpus']} CPU cores ({m['platform']}, Python {m['python']}{load}); embedder {r['embedder']}.

| figure | value | measured how |
|---|---|---|
| build_ratio | **{b['build_ratio']}** | index build {b['build_s']} s ÷ embedding its {b['chunks']} passages alone {b['embed_passages_alone_s']} s (1 run each). The build also embeds the passages' {b['sentences']} sentences (the answer stage's sentence vectors): embedding the {b['texts_embedded']} distinct passages and sentences alone took {b['embed_passages_and_sentences_alone_s']} s, so against passages + sentences the ratio is **{b['build_ratio_vs_passages_and_sentences']}** |
| query_ratio_p50 | **{q['query_ratio_p50']}** | ask p50 {q['ask_p50_ms']} ms ÷ question embedding alone p50 {q['embed_query_p50_ms']} ms ({q['questions']} dev questions, median of {q['repeats']} repeats; ask p95 {q['ask_p95_ms']} ms) |
| cold_start_s | **{c['cold_start_s']}** | `python -m qa ask --json …` in a subprocess, process start to answer, index built (median of {len(c['runs'])}: {c['runs']}); its peak RSS {c['peak_rss_mb']} MB |
| peak_rss_mb | **{r['peak_rss_mb']}** | this process at the end (one report: {r['peak_rss_mb_one_report']} MB; with the {s['documents']}-report corpus loaded: {s['peak_rss_mb']} MB) |
| corpus: {s['documents']} reports (the real one + {s['documents'] - 1} synthetic) | {s['chunks']:,} chunks, FAISS {s['vector_index']} | build {s['build_s_vectors_reused']} s with **reused vectors** ({s['reused_vectors_s']} s of it producing them; chunking, BM25, FAISS, files, vector cache: measured); embedding its {s['texts_embedded']:,} distinct passages and sentences with {r['embedder']} would add ≈ {s['embedding_s_extrapolated']:,} s (**extrapolated** at {r['rates']['texts_per_second']} texts/s); ask p50 {s['ask_p50_ms']} ms, p95 {s['ask_p95_ms']} ms ({s['questions']} dev questions about 偃师, 1 pass: BM25 scores all {s['chunks']:,} chunks, then the named report's are kept) |
| ann_recall_at_10 | **{hr['recall_at_10']}** (random vectors: {ar['recall_at_10']}) | HNSW (M {a['m']}, efSearch {a['ef_search']}) vs FAISS flat at {hr['rows']:,} rows, {hr['queries']} real question vectors; rows are the corpus's reused vectors (real e5 vectors + noise σ {NOISE}) and, separately, random unit vectors |
| query_p95_ms_at_10k | **flat {hr['flat_p95_ms']} / HNSW {hr['hnsw_p95_ms']}** | one question's top-10 search (p50 flat {hr['flat_p50_ms']} / HNSW {hr['hnsw_p50_ms']} ms; random rows: flat {ar['flat_p95_ms']} / HNSW {ar['hnsw_p95_ms']} ms p95); HNSW build {hr['hnsw_build_s']} s |
| incremental_s | **{i['incremental_s']}** | one new document added to the {s['documents']}-report corpus and `qa build`'s code run again: its vector cache (`vector-cache/` in the index folder, sha256 of each text) served {i['from_cache']:,} of {i['texts']:,} texts, {i['embedded']} were embedded with {r['embedder']} ({i['embed_s']} s, measured); re-embedding all its distinct texts would take ≈ {i['full_reembed_s_extrapolated']:,} s (extrapolated). Chunking, BM25 and FAISS ({i['vector_index']}) are rebuilt whole |

{_scale(s)}The dense index is FAISS flat (exact) below `ann_min_chunks` ({a['threshold_chunks']:,} chunks) and HNSW from there on
(the recall above for the speed above). Total bench time {r['total_s']} s.
"""


def _scale(s: dict[str, Any]) -> str:
    if s["documents"] >= 1000:
        return ""
    factor = 1000 / s["documents"]
    return (f"Not measured: a 1,000-report corpus (≈ {round(s['chunks'] * factor):,} chunks; its build without embedding scales "
            f"about linearly from the {s['documents']}-report figure, ≈ {round(s['build_s_vectors_reused'] * factor)} s, and "
            f"embedding it would take ≈ {round(s['embedding_s_extrapolated'] * factor / 3600, 1)} h here: extrapolated, not run).\n")
