"""`cross-encoder` reranker: a sentence-transformers `CrossEncoder` (Hugging Face id or local path, Config
`reranker_model` / QA_RERANKER_MODEL) scores each (question, passage) pair; passages are ordered by it.

sentence-transformers (and torch) are imported only when this reranker is chosen. Each hit keeps its
retrieval score (`hit.score`) and gets the model's raw score (`hit.scores["cross-encoder"]`, a logit: no
activation is applied) and a calibrated probability (`hit.scores["cross-encoder:p"]` =
sigmoid(reranker_scale · raw + reranker_shift), the scale and shift fitted by `qa calibrate` and recorded in
the config, hence in every metrics.json).

The refusal checks never read a reranker's score: the evidence model (qa/answerability.py) is computed from
clause windows, the retrieval score and the embedder's similarities, so a cross-encoder's scale cannot move
its threshold. The reranker only decides which passages reach it, and in what order.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from . import RERANKERS
from ..types import Chunk, Hit

if TYPE_CHECKING:
    from ..evaluation import EvalItem
    from ..query import Query

NAME = "cross-encoder"
PROBABILITY = f"{NAME}:p"
INSTALL = "pip install sentence-transformers"


def passage_text(chunk: Chunk) -> str:
    """What the cross-encoder reads for a passage: its last heading gives it its topic, as for the sentence vectors."""
    return f"{chunk.section[-1]}：{chunk.text}" if chunk.section else chunk.text


@RERANKERS.register(NAME)
class CrossEncoderReranker:
    name = NAME

    def __init__(self, config: Any = None, model: Any = None, **_: object) -> None:
        """`model`: an already loaded CrossEncoder (tests); else `config.reranker_model` is loaded."""
        if model is None:
            if config is None or not config.reranker_model:
                raise ValueError("the cross-encoder reranker needs a model: set QA_RERANKER_MODEL "
                                 "(a Hugging Face id or a local path) or pass --reranker-model")
            try:
                from sentence_transformers import CrossEncoder
            except ImportError:
                raise ImportError(f"the cross-encoder reranker needs sentence-transformers: {INSTALL}") from None
            model = CrossEncoder(config.reranker_model)
        self.model = model
        self.scale = float(getattr(config, "reranker_scale", 1.0))
        self.shift = float(getattr(config, "reranker_shift", 0.0))

    def raw_scores(self, question: str, hits: list[Hit]) -> np.ndarray:
        """The model's logits for (question, passage); a two-class model's last (relevant) class."""
        if not hits:
            return np.zeros(0)
        import torch

        pairs = [(question, passage_text(h.chunk)) for h in hits]
        scores = self.model.predict(pairs, activation_fn=torch.nn.Identity(), show_progress_bar=False,
                                    convert_to_numpy=True)
        scores = np.asarray(scores, dtype=float)
        return scores[:, -1] if scores.ndim == 2 else scores

    def probability(self, raw: float) -> float:
        z = self.scale * raw + self.shift
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def rerank(self, query: "Query", hits: list[Hit]) -> list[Hit]:
        raw = self.raw_scores(query.text, hits)
        order = sorted(range(len(hits)), key=lambda i: -raw[i])
        return [Hit(hits[i].chunk, hits[i].score, {**hits[i].ranks, "fused": i + 1},
                    {**hits[i].scores, NAME: float(raw[i]), PROBABILITY: self.probability(float(raw[i]))})
                for i in order]


# ---------------------------------------------------------------- calibration


def fit_calibration(raw: Iterable[float], labels: Iterable[int]) -> tuple[float, float]:
    """(scale, shift) of a logistic regression of the labels on the raw scores (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(list(raw), dtype=float).reshape(-1, 1)
    y = np.asarray(list(labels), dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs both relevant and irrelevant passages")
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(x, y)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def calibration_pairs(assistant: Any, items: Iterable["EvalItem"]) -> tuple[list[float], list[int]]:
    """Raw scores of the reranker pool of each answerable question, labelled 1 where the passage holds the
    question's gold evidence (the evaluation's own rule)."""
    from ..evaluation import chunk_has
    from ..text import search_form

    reranker = assistant.reranker
    if not isinstance(reranker, CrossEncoderReranker):
        raise ValueError(f"calibration is for the cross-encoder reranker (this assistant uses {reranker.name!r})")
    raw: list[float] = []
    labels: list[int] = []
    for item in items:
        if not item.answerable or not item.evidence:
            continue
        query = assistant.retriever.prepare(assistant.analyzer.analyse(item.question))
        hits = assistant.retriever.search(query, assistant.config.rerank_pool)
        evidence = [search_form(e) for e in item.evidence]
        raw += reranker.raw_scores(query.text, hits).tolist()
        labels += [int(any(chunk_has(search_form(h.chunk.text), e) for e in evidence)) for h in hits]
    return raw, labels


def calibrate(assistant: Any, items: Iterable["EvalItem"]) -> dict[str, Any]:
    """The scale and shift to set (QA_RERANKER_SCALE, QA_RERANKER_SHIFT), and what they were fitted on."""
    raw, labels = calibration_pairs(assistant, items)
    scale, shift = fit_calibration(raw, labels)
    return {"reranker_model": assistant.config.reranker_model, "reranker_scale": round(scale, 6),
            "reranker_shift": round(shift, 6), "pairs": len(labels), "relevant": int(sum(labels))}
