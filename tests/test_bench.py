"""`qa bench`: the vector cache, the reused-vector stand-in, the ANN comparison, and one small real run."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa import Config
from qa.bench import ReusedVectors, _ann, run_bench
from qa.embedders import get_embedder
from qa.stores.vector_cache import CachingEmbedder, text_key


@pytest.fixture(scope="module")
def e5():
    return get_embedder("e5-small")


def test_cache_embeds_only_unseen_texts_and_persists_without_pickle(e5, tmp_path: Path) -> None:
    folder = tmp_path / "vector-cache"
    cache = CachingEmbedder(e5, folder)
    first = cache.embed_passages(["新增充电桩106个", "地区生产总值增长5%", "新增充电桩106个"])
    assert (cache.misses, cache.hits) == (2, 1)
    assert np.allclose(first[0], first[2])
    cache.save()
    meta = json.loads((folder / "keys.json").read_text("utf-8"))
    assert meta["embedder"] == "e5-small" and meta["keys"][0] == text_key("新增充电桩106个")
    assert np.load(folder / "vectors.npy", allow_pickle=False).shape == (2, e5.dim)

    again = CachingEmbedder(e5, folder)
    second = again.embed_passages(["地区生产总值增长5%", "城镇化率提高2个百分点"])
    assert (again.misses, again.hits) == (1, 1)
    assert np.allclose(second[0], first[1], atol=1e-6)
    assert np.allclose(second[1], e5.embed_passages(["城镇化率提高2个百分点"])[0], atol=1e-5)


def test_cache_of_another_embedder_is_ignored(e5, tmp_path: Path) -> None:
    folder = tmp_path / "vector-cache"
    cache = CachingEmbedder(e5, folder)
    cache.embed_passages(["一"])
    cache.save()
    meta = json.loads((folder / "keys.json").read_text("utf-8"))
    (folder / "keys.json").write_text(json.dumps({**meta, "embedder": "use-multilingual"}), "utf-8")
    assert len(CachingEmbedder(e5, folder)) == 0


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
    result = _ann(base, base[:20])
    assert 0.5 <= result["recall_at_10"] <= 1.0
    assert result["rows"] == 2000 and result["flat_p95_ms"] > 0 and result["hnsw_p95_ms"] > 0


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
    inc = data["incremental"]
    assert inc["embedded"] > 0 and inc["from_cache"] >= inc["cached_before"] > 0  # only the new document embedded
    assert inc["embedded"] < inc["from_cache"]
    md = (tmp_path / "out" / "bench.md").read_text("utf-8")
    assert "build_ratio" in md and "extrapolated" in md and "CPU cores" in md
