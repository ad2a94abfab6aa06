"""`qa build` and its vector cache: a rebuild embeds only the passages and sentences it has not embedded before.

Real e5, FAISS and bm25s on seeds folders of the report's first few paragraphs (7 passages), so that each
build takes seconds. The embedder is wrapped only to record which texts it was asked to embed.
"""
import json

import numpy as np
import pytest

from qa.embedders import get_embedder
from qa.sentences import sentence_texts
from qa.store import build, passage_text
from qa.stores.vector_cache import FOLDER, KEYS, VectorCache, text_key
from qa.synthetic import synthetic_report

from .conftest import lexical_parts, tiny_config

class Recording:
    """The real e5 embedder, remembering every text it embedded."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.embedded: list[str] = []

    def embed_passages(self, texts):
        self.embedded.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)


@pytest.fixture(scope="module")
def e5():
    return get_embedder("e5-small")


@pytest.fixture(scope="module")
def lexical():
    return lexical_parts()


@pytest.fixture
def config(tmp_path):
    return tiny_config(tmp_path)


def _build(config, e5, lexical, said=None):
    embedder = Recording(e5)
    index = build(config, embedder, *lexical, progress=(said.append if said is not None else lambda _m: None))
    return index, embedder.embedded


def _texts(index) -> list[str]:
    return [passage_text(c) for c in index.chunks] + sentence_texts(index.chunks)


def _cache_folder(config):
    return config.index_dir / "e5-small" / FOLDER


def test_a_first_build_embeds_each_passage_and_sentence_once_and_caches_them_without_pickle(config, e5, lexical):
    index, embedded = _build(config, e5, lexical)
    texts = _texts(index)
    assert embedded == list(dict.fromkeys(texts))
    made = index.manifest["build"]
    assert (made["texts"], made["embedded"], made["from_cache"]) == (len(texts), len(set(texts)), 0)
    meta = json.loads((_cache_folder(config) / KEYS).read_text("utf-8"))
    assert meta["embedder"] == "e5-small" and meta["keys"] == list(dict.fromkeys(text_key(t) for t in texts))
    cached = np.load(_cache_folder(config) / meta["vectors"], allow_pickle=False)
    assert cached.shape == (len(set(texts)), e5.dim) and cached.dtype == np.float32


def test_an_unchanged_rebuild_embeds_nothing_and_gives_the_same_vectors(config, e5, lexical):
    first, _ = _build(config, e5, lexical)
    second, embedded = _build(config, e5, lexical)
    assert embedded == []
    assert second.manifest["build"]["from_cache"] == len(_texts(first))
    assert np.array_equal(second.vectors.reconstruct_n(0, len(second.chunks)), first.vectors.reconstruct_n(0, len(first.chunks)))
    assert np.array_equal(second.sentences.vectors, first.sentences.vectors)


def test_adding_a_document_embeds_only_its_new_passages_and_sentences(config, e5, lexical):
    first, _ = _build(config, e5, lexical)
    tiny = (config.seeds_dir / "report.txt").read_text("utf-8")
    (config.seeds_dir / "xinan.txt").write_text(synthetic_report(tiny, "新安", "洛阳", seed=1, level="县"), "utf-8")
    grown, embedded = _build(config, e5, lexical)
    before = set(_texts(first))
    assert embedded == list(dict.fromkeys(t for t in _texts(grown) if t not in before))
    assert 0 < len(embedded) < len(before)
    assert grown.manifest["build"]["from_cache"] == sum(t in before for t in _texts(grown))
    # The new texts' vectors are e5's, the others are the cached ones, in the index's order.
    rows = grown.vectors.reconstruct_n(0, len(grown.chunks))
    fresh = e5.embed_passages([passage_text(grown.chunks[-1])])[0]
    assert np.abs(rows[-1] - fresh).max() < 1e-5
    assert np.array_equal(rows[: len(first.chunks)], first.vectors.reconstruct_n(0, len(first.chunks)))


def _truncate(folder):
    vectors = folder / json.loads((folder / KEYS).read_text("utf-8"))["vectors"]
    vectors.write_bytes(vectors.read_bytes()[:200])


def _flip_a_value(folder):
    vectors = folder / json.loads((folder / KEYS).read_text("utf-8"))["vectors"]
    data = bytearray(vectors.read_bytes())
    data[-3] ^= 0xFF
    vectors.write_bytes(bytes(data))


def _garbage_keys(folder):
    (folder / KEYS).write_text("{not json", "utf-8")


def _missing_vectors(folder):
    (folder / json.loads((folder / KEYS).read_text("utf-8"))["vectors"]).unlink()


def _another_embedder(folder):
    meta = json.loads((folder / KEYS).read_text("utf-8"))
    (folder / KEYS).write_text(json.dumps({**meta, "embedder": "use-multilingual"}), "utf-8")


@pytest.mark.parametrize("damage, reason", [
    (_truncate, "unreadable"), (_flip_a_value, "vectors do not match their checksum"),
    (_garbage_keys, "unreadable"), (_missing_vectors, "unreadable"),
    (_another_embedder, "made with 'use-multilingual' (384 dimensions)"),
])
def test_a_damaged_or_foreign_cache_is_ignored_and_written_again(config, e5, lexical, damage, reason):
    first, _ = _build(config, e5, lexical)
    damage(_cache_folder(config))
    said: list[str] = []
    again, embedded = _build(config, e5, lexical, said)
    assert embedded == list(dict.fromkeys(_texts(first)))
    notes = [m for m in said if m.startswith("vector cache ignored (")]
    assert len(notes) == 1 and reason in notes[0] and notes[0].endswith("): embedding every passage and sentence")
    assert np.abs(again.sentences.vectors - first.sentences.vectors).max() < 1e-5
    rewritten = VectorCache(_cache_folder(config), "e5-small", e5.dim)
    assert rewritten.problem is None and len(rewritten) == len(set(_texts(first)))


def test_the_cache_keeps_only_the_current_builds_texts(config, e5, lexical):
    _build(config, e5, lexical)
    report = config.seeds_dir / "report.txt"
    report.write_text(report.read_text("utf-8").replace("偃师", "偃师区"), "utf-8")
    changed, _ = _build(config, e5, lexical)
    meta = json.loads((_cache_folder(config) / KEYS).read_text("utf-8"))
    assert meta["keys"] == list(dict.fromkeys(text_key(t) for t in _texts(changed)))
    assert sorted(p.name for p in _cache_folder(config).iterdir()) == sorted([KEYS, meta["vectors"]])  # old file removed
