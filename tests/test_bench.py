"""`qa bench`: the reused-vector stand-in, the ANN comparison, place names, and one small real run."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from qa import Config
from qa.bench import ReusedVectors, ann, run_bench
from qa.bench_tools import places


def test_reused_vectors_follow_the_matching_real_passage() -> None:
    rng = np.random.default_rng(1)
    real = rng.normal(size=(2, 8)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    stand_in = ReusedVectors("e5-small", ["偃师区新增充电桩106个", "全区生产总值增长5%"], real, ignore="偃师新安区县")
    out = stand_in.embed_passages(["新安县新增充电桩87个", "全县生产总值增长7%"])
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    assert (out @ real.T).argmax(axis=1).tolist() == [0, 1]


def test_ann_recall_and_timings() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(2000, 16)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    result = ann(base, base[:20])
    assert 0.5 <= result["recall_at_10"] <= 1.0
    assert result["rows"] == 2000 and result["flat_p95_ms"] > 0 and result["hnsw_p95_ms"] > 0


def test_a_thousand_synthetic_places_are_distinct_and_never_the_real_ones() -> None:
    names = places(1001)
    assert len(set(names)) == 1001
    assert not [p for p in names if "偃师" in p or "洛阳" in p]
    assert names[:2] == ["东西", "东南"]


def test_quick_bench_writes_json_and_markdown(small_seeds: Path, tmp_path: Path) -> None:
    """A real run at the smallest sizes: 3 synthetic reports, every phase, both files."""
    progress: list[str] = []
    result = run_bench(Config(seeds_dir=small_seeds), tmp_path / "out", quick=True, progress=progress.append, docs=3)
    assert [m.split("]")[0].split(" ·")[0] for m in progress[:7]] == [f"[bench {i}/7" for i in range(1, 8)]
    data = json.loads((tmp_path / "out" / "bench.json").read_text("utf-8"))
    assert data == json.loads(json.dumps(result))
    for key in ("build_ratio",):
        assert data["build"][key] > 0
    assert data["query"]["query_ratio_p50"] > 0 and data["cold_start"]["cold_start_s"] > 0 and data["peak_rss_mb"] > 0
    assert data["corpus"]["documents"] == 3 and data["corpus"]["chunks"] > 3 * 10
    assert 0 <= data["ann"]["reused_vectors"]["recall_at_10"] <= 1
    b = data["build"]
    assert b["chunks"] < b["texts_embedded"] <= b["chunks"] + b["sentences"]  # passages and sentences, each text once
    assert b["embed_passages_and_sentences_alone_s"] > 0 and b["build_ratio_vs_passages_and_sentences"] > 0
    # The real build's vector cache: every text of the corpus came from it, only the new document's were embedded.
    inc, corpus = data["incremental"], data["corpus"]
    assert inc["from_cache"] >= corpus["texts"] and inc["texts"] > corpus["texts"]
    assert 0 < inc["embedded"] <= inc["texts"] - inc["from_cache"]
    md = (tmp_path / "out" / "bench.md").read_text("utf-8")
    assert "build_ratio" in md and "extrapolated" in md and "CPU cores" in md
