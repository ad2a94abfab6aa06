"""One configuration object: defaults here, overridden by environment variables (QA_<FIELD>) and CLI flags."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Config:
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    index_dir: Path = PROJECT_ROOT / "index"
    embedder: str = "e5-small"
    # Everyday words → report vocabulary (a TSV file); empty = the table bundled in qa/data/synonyms.tsv.
    synonyms: str = ""
    # Everyday words → report phrases, widening questions only (a TSV file); empty = qa/data/colloquial.tsv.
    colloquial: str = ""
    # Chunking: a paragraph longer than this is cut into runs of whole sentences.
    max_chunk_chars: int = 200
    # Retrieval
    mode: str = "hybrid"  # hybrid | dense | bm25
    top_k: int = 5
    # rrf | weighted (min-max scaled scores). Weighted is far better without the rerank (tune half hit@1
    # 0.89 vs 0.64); with it, RRF gives the reranker a more varied pool (tune hit@1 0.99 vs 0.97).
    fusion: str = "rrf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    period_boost: float = 0.3
    # Passages given to the reranker (qa/rerankers/: `window` scores each by its best answer window,
    # `none` keeps the fused order).
    rerank_pool: int = 20
    reranker: str = "window"
    # Answering (qa/answerers): which answerer fills the slot, and the extractive one's style:
    # `sentence` (labelled with its period) or `clauses` (the bare evidence). Weights and the fitted
    # answer-or-refuse model are in qa/params.py, not here: they are not per-deployment settings.
    answerer: str = "extractive"
    answer_style: str = "sentence"
    max_question_chars: int = 500
    # Generative answerers and model rerankers (qa/answerers/generative.py, qa/rerankers/cross_encoder.py).
    # `openai`: any OpenAI-compatible chat-completions endpoint (base URL empty = the openai package's
    # default); `transformers`: a local causal LM, `llm_local_model` or else `llm_model` (HF id or path).
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = dataclasses.field(default="", repr=False)  # never written to manifests or metrics
    llm_local_model: str = ""
    llm_device: str = ""  # transformers: "cpu", "cuda", …; empty = cuda when available
    llm_timeout: float = 20.0  # seconds for the whole answer (one retry on connection errors and timeouts)
    llm_max_tokens: int = 512
    llm_temperature: float = 0.0
    # `cross-encoder` reranker: a sentence-transformers CrossEncoder (HF id or path). Its raw score is
    # mapped to a probability by sigmoid(scale * score + shift), fitted by `qa calibrate`; recorded here
    # so that nothing reads the cross-encoder's scale as if it were the window scorer's.
    reranker_model: str = ""
    reranker_scale: float = 1.0
    reranker_shift: float = 0.0
    # Limits and documents (hardening)
    # A larger document or corpus is skipped with a message naming the variable that allows it.
    max_document_bytes: int = 5_000_000
    max_corpus_bytes: int = 200_000_000
    # A build estimated above this many seconds is announced (and refused where the caller asks).
    slow_build_seconds: float = 120.0
    # Build speed assumed until a build of this index has been timed: passages (with their sentences)
    # embedded per second; e5-small on 2 CPU cores does about 4.
    build_passages_per_second: float = 4.0
    # Follow-up history kept per question: the last turns, and at most this many characters in all.
    max_history_turns: int = 8
    max_history_chars: int = 2000
    max_top_k: int = 20
    # Question embeddings are made by one thread, several per model call when questions arrive together
    # (qa/query_batcher.py): the most per call, and that thread's OpenMP threads (0 = the library's default;
    # on 2 cores one thread costs ~40% less CPU per question than two and is no slower).
    query_batch: int = 32
    query_threads: int = 1
    # Web server (ui.py, qa/http_api.py): seconds a request may take, waiting included, before the client is
    # told the server is busy; the largest JSON body of the plain route.
    request_budget_s: float = 10.0
    max_request_bytes: int = 65_536
    # Stores and benchmark
    # The retrieval back end (qa/stores): `local` (FAISS + bm25s in the index folder) or `milvus`.
    store: str = "local"
    # milvus: a file path (…/qa.db) runs Milvus Lite embedded, http://host:19530 talks to a server;
    # empty = <index_dir>/milvus.db. Collections are named <milvus_collection>_<embedder>_<build id>.
    milvus_uri: str = ""
    milvus_collection: str = "qa"
    # From this many chunks on, the dense index is FAISS HNSW (approximate) instead of flat (exact); see
    # qa/stores/faiss_index.py. Links per node and construction depth of the graph (a change rebuilds the
    # index), search depth, and how many nearest chunks an unrestricted HNSW search scores.
    ann_min_chunks: int = 5000
    ann_hnsw_m: int = 32
    ann_ef_construction: int = 80
    ann_ef_search: int = 64
    ann_candidates: int = 200
    # UI
    # Readers' 👍/👎 feedback, appended as QA-set lines (qa.feedback); the file stops growing at the cap.
    feedback_path: Path = PROJECT_ROOT / "eval" / "feedback.jsonl"
    feedback_max_bytes: int = 20_000_000
    # Largest QA set the 评测 tab accepts as an upload, and the most questions it runs at once.
    eval_upload_max_bytes: int = 2_000_000
    eval_max_questions: int = 500

    def replace(self, **changes: Any) -> "Config":
        clean = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **{k: _coerce(self, k, v) for k, v in clean.items()})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Config":
        """Defaults, then QA_* environment variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        base = cls()
        from_env = {f.name: environ[f"QA_{f.name.upper()}"] for f in fields(cls) if f"QA_{f.name.upper()}" in environ}
        return base.replace(**from_env).replace(**overrides)

    def to_dict(self) -> dict[str, Any]:
        out = {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(self).items()}
        return out | ({"llm_api_key": "***"} if self.llm_api_key else {})  # a secret stays out of written files


def _coerce(config: Config, name: str, value: Any) -> Any:
    kinds = {f.name: type(getattr(config, f.name)) for f in fields(config)}
    if name not in kinds:
        raise ValueError(f"unknown setting {name!r}; known: {', '.join(sorted(kinds))}")
    kind = kinds[name]
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {name}={value!r} is not a valid {kind.__name__}") from exc
