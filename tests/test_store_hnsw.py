"""The local store's dense index: FAISS flat below `ann_min_chunks` chunks, HNSW from there on.

The HNSW index of the whole report is built with the threshold set low, from the vector cache of the
session's flat index (so nothing is embedded twice), and searched with the real dev questions.
"""
import json
import shutil

import faiss
import numpy as np
import pytest

from qa import Assistant, Config
from qa.builds import current
from qa.errors import IndexStateError
from qa.store import check, index_path, load
from qa.stores.vector_cache import FOLDER

from .conftest import ROOT, DOC

LOW = 100  # the report has 127 chunks


@pytest.fixture(scope="module")
def hnsw(assistant, tmp_path_factory) -> Assistant:
    config = Config(index_dir=tmp_path_factory.mktemp("hnsw-index"), ann_min_chunks=LOW)
    shutil.copytree(index_path(assistant.config, "e5-small") / FOLDER, index_path(config, "e5-small") / FOLDER)
    return Assistant.load(config, progress=None)


def _questions() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "sets" / "dev.jsonl").read_text("utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("answerable", True)]


def test_the_report_is_indexed_flat_under_the_default_threshold(assistant):
    assert isinstance(assistant.index.vectors, faiss.IndexFlatIP)
    assert assistant.index.manifest["vector_index"] == {"kind": "flat", "min_chunks": 5000}


def test_above_the_threshold_the_index_is_hnsw_and_the_manifest_says_so(hnsw):
    assert isinstance(hnsw.index.vectors, faiss.IndexHNSWFlat)
    assert hnsw.index.manifest["vector_index"] == {"kind": "hnsw", "min_chunks": LOW, "m": 32,
                                                   "ef_construction": 80, "ef_search": 64}
    assert hnsw.index.manifest["build"]["embedded"] == 0  # every vector came from the flat index's cache


def test_hnsw_holds_the_same_vectors_and_is_loaded_back_as_hnsw(assistant, hnsw):
    path = index_path(hnsw.config, "e5-small")
    again = load(path, check(path, hnsw.config, "e5-small", hnsw.index.manifest["synonyms_sha256"]))
    assert isinstance(again.vectors, faiss.IndexHNSWFlat)
    n = len(assistant.index.chunks)
    assert np.array_equal(again.vectors.reconstruct_n(0, n), assistant.index.vectors.reconstruct_n(0, n))


@pytest.fixture(scope="module")
def queries(assistant):
    """Every answerable dev question, prepared (and embedded) once for both stores."""
    return [assistant.retriever.prepare(assistant.analyzer.analyse(q)) for q in _questions()]


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_hnsw_returns_the_same_top_hit_as_flat_for_every_dev_question(assistant, hnsw, queries, mode):
    differ = [(q.text, flat, approx) for q in queries
              if (flat := assistant.retriever.search(q, 1, mode)[0].chunk.id) != (approx := hnsw.retriever.search(q, 1, mode)[0].chunk.id)]
    assert differ == []


def test_a_search_restricted_to_the_report_scores_its_chunks_exactly(assistant, hnsw):
    question = _questions()[0]
    flat_query = assistant.retriever.prepare(assistant.analyzer.analyse(question), frozenset({DOC}))
    hnsw_query = hnsw.retriever.prepare(hnsw.analyzer.analyse(question), frozenset({DOC}))
    exact = assistant.retriever.store.dense_scores(flat_query)
    assert np.allclose(hnsw.retriever.store.dense_scores(hnsw_query), exact, atol=1e-5)


def test_raising_the_threshold_makes_the_hnsw_index_stale(hnsw):
    path = index_path(hnsw.config, "e5-small")
    with pytest.raises(IndexStateError, match=r"^vector index kind changed \('hnsw' → 'flat'\)$"):
        check(path, hnsw.config.replace(ann_min_chunks=5000), "e5-small", hnsw.index.manifest["synonyms_sha256"])


def test_an_index_file_of_the_other_kind_is_not_loaded(hnsw, tmp_path):
    path = tmp_path / "e5-small"
    shutil.copytree(index_path(hnsw.config, "e5-small"), path)
    flat = faiss.IndexFlatIP(hnsw.index.vectors.d)
    flat.add(hnsw.index.vectors.reconstruct_n(0, hnsw.index.vectors.ntotal))
    faiss.write_index(flat, str(current(path) / "vectors.faiss"))
    with pytest.raises(IndexStateError, match="vectors.faiss holds a flat index, the manifest records hnsw"):
        load(path, json.loads((current(path) / "manifest.json").read_text("utf-8")))
