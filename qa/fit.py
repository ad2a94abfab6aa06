"""Fitting the answer-or-refuse model: logistic regression over the evidence features, cross-validated.

    qa fit eval/sets/train.jsonl eval/sets/train2.jsonl eval/sets/train3.jsonl eval/sets/train4.jsonl \
           eval/sets/train5.jsonl eval/sets/train6.jsonl eval/sets/dev.jsonl:tune

Each (sub)question that passes the structural checks gives one row: its evidence features (computed by
the same code that answers) and whether the report answers it. The threshold is computed from the
answerable shares of the fitting rows and of the questions reaching the model in use (`bayes_threshold`);
the out-of-fold probabilities give the calibration table written with the model, which that rests on. The sets you report on (dev `report`, `fresh`) must never be fitted on.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .answerability import FEATURES
from .evaluation import EvalItem, load_set, select_split

MODEL_FILE = Path(__file__).resolve().parent / "data" / "answerability.json"
FOLDS = 5
# Regularisation strengths tried for the fit that reads the question's embedding (one weight per dimension).
VECTOR_C = (0.01, 0.03, 0.1, 0.3)
QUESTION_VECTOR = "question_vector"
# Share of answerable questions expected in use: that of the development set as written from the report
# (159 of 200), a count of the set's labels, not a figure tuned on its answers.
ANSWERABLE_SHARE = 0.795


def read_sets(specs: Sequence[str | Path]) -> list[EvalItem]:
    """Items of each `path` or `path:split` (dev.jsonl:tune)."""
    items: list[EvalItem] = []
    for spec in map(str, specs):
        path, _, split = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
        loaded, _ = load_set(path)
        items += select_split(loaded, split or "all")
    return items


def rows(assistant: Any, items: Sequence[EvalItem]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, int]]:
    """Feature matrix, question vectors and labels (1 = the report answers it) of the (sub)questions the model
    decides, and per label how many (sub)questions there were (the others are refused by a check of their own)."""
    xs, vs, ys, seen = [], [], [], {0: 0, 1: 0}
    k = assistant.config.top_k
    for item in items:
        analysis = assistant.analyzer.analyse(item.question)
        query = assistant.retriever.prepare(analysis)
        hits = assistant.reranker.rerank(query, assistant.retriever.search(query, max(k, assistant.config.rerank_pool)))[:k]
        for part in analysis.parts or (analysis,):
            _, x = assistant.judge(part, query, hits)
            seen[int(item.answerable)] += 1
            # Rows the structural checks and what-is-asked checks decide on their own are not the model's to learn.
            if x and not x["lacks"]:
                xs.append([x[f] for f in FEATURES])
                vs.append(query.vector)
                ys.append(int(item.answerable))
    return np.array(xs, dtype=float), np.array(vs, dtype=float), np.array(ys), seen


def grouped_rows(assistant: Any, specs: Sequence[str | Path]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, float]]:
    """`rows` of every set, which set each row came from, and per label the share of (sub)questions that reach
    the model."""
    parts = [rows(assistant, read_sets([spec])) for spec in specs]
    x, v, y = (np.concatenate([p[i] for p in parts if len(p[2])]) for i in range(3))
    groups = np.concatenate([np.full(len(p[2]), i) for i, p in enumerate(parts)])
    reach = {label: float((y == label).sum() / max(sum(p[3][label] for p in parts), 1)) for label in (0, 1)}
    return x, v, y, groups, reach


def share_at_model(reach: dict[int, float]) -> float:
    """The answerable share among the questions that reach the model: the checks before it refuse most
    unanswerable questions and few answerable ones, so the model sees more answerable ones than are asked."""
    answerable = ANSWERABLE_SHARE * reach[1]
    return answerable / (answerable + (1 - ANSWERABLE_SHARE) * reach[0])


def _cross_validated(x: np.ndarray, y: np.ndarray, share: float, c: float = 1.0) -> tuple[Any, np.ndarray, float, float]:
    """The fitted pipeline, out-of-fold probabilities, the threshold and its weighted out-of-fold accuracy."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise ImportError("fitting needs scikit-learn: pip install -e '.[fit]'") from exc
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    oof = cross_val_predict(pipe, x, y, cv=folds, method="predict_proba")[:, 1]
    threshold = bayes_threshold(float(y.mean()), share)
    # Out-of-fold accuracy at that threshold, the classes re-weighted to the share expected at the model.
    weight = np.where(y == 1, share / y.mean(), (1 - share) / (1 - y.mean()))
    accuracy = float((((oof >= threshold) == y) * weight).sum() / weight.sum())
    pipe.fit(x, y)
    return pipe, oof, threshold, accuracy


def set_out_auc(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> float:
    """AUC of probabilities each set gets from a model fitted on the other sets: how well the fit carries to
    questions written by another hand, which is what the held-out sets ask of it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
    p = cross_val_predict(pipe, x, y, cv=LeaveOneGroupOut(), groups=groups, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


def _strongest(x: np.ndarray, y: np.ndarray, groups: np.ndarray, candidates: Sequence[float]) -> tuple[float, float]:
    """The regularisation strength among `candidates` that carries best to a set it was not fitted on, and its
    set-out AUC."""
    aucs = {c: set_out_auc(x, y, groups, c) for c in candidates}
    best = max(aucs, key=aucs.get)
    return best, aucs[best]


def bayes_threshold(fitted_share: float, share: float) -> float:
    """The probability below which refusing is right more often than answering. The model's probabilities
    are calibrated to its fitting rows, `fitted_share` of them answerable (the out-of-fold calibration table
    shows it); in use `share` of the questions reaching it are answerable, so the even-odds point moves by
    the change of prior odds. Computed, not searched: the out-of-fold accuracy curve is flat from about 0.2
    to 0.4, and its argmax moved over that whole range between bootstrap resamples of the fitting rows."""
    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    return round(1 / (1 + math.exp(logit(share) - logit(fitted_share))), 3)


def ablation(assistant: Any, sets: Sequence[str | Path], held_out: Sequence[str | Path],
             subsets: dict[str, Sequence[str]]) -> dict[str, Any]:
    """Refit on each subset of the features (QUESTION_VECTOR: the question's embedding) and judge the
    answer-or-refuse decision on the held-out sets."""
    from sklearn.metrics import roc_auc_score

    x, v, y, groups, reach = grouped_rows(assistant, sets)
    tests = {str(s): grouped_rows(assistant, [s])[:3] for s in held_out}
    out: dict[str, Any] = {}
    for name, columns in subsets.items():
        fitted = _columns(x, v, columns)
        c, auc = _strongest(fitted, y, groups, VECTOR_C if QUESTION_VECTOR in columns else (1.0,))
        pipe, oof, threshold, _ = _cross_validated(fitted, y, share_at_model(reach), c)
        out[name] = {"cv_auc": round(float(roc_auc_score(y, oof)), 3), "threshold": threshold, "C": c,
                     "set_out_auc": round(auc, 3)}
        for spec, (xt, vt, yt) in tests.items():
            answer = pipe.predict_proba(_columns(xt, vt, columns))[:, 1] >= threshold
            out[name][spec] = {"accuracy": round(float((answer == yt).mean()), 3),
                               "false_refusal_rate": round(float((~answer & (yt == 1)).sum() / max(yt.sum(), 1)), 3),
                               "refusal_recall": round(float((~answer & (yt == 0)).sum() / max((yt == 0).sum(), 1)), 3)}
    return out


def _columns(x: np.ndarray, v: np.ndarray, columns: Sequence[str]) -> np.ndarray:
    """The named feature columns of `x`, and the question vectors `v` when QUESTION_VECTOR is named."""
    kept = x[:, [FEATURES.index(c) for c in columns if c != QUESTION_VECTOR]]
    return np.hstack([kept, v]) if QUESTION_VECTOR in columns else kept


def _fitted(x: np.ndarray, y: np.ndarray, share: float, c: float, set_out: float) -> dict[str, Any]:
    """One logistic fit as written to the model file: coefficients, threshold, cross-validated metrics (with
    `set_out`, its leave-one-set-out AUC) and the out-of-fold calibration table."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    pipe, oof, threshold, best = _cross_validated(x, y, share, c)
    scaler, lr = pipe.named_steps["standardscaler"], pipe.named_steps["logisticregression"]
    bins = np.clip((oof * 10).astype(int), 0, 9)
    return {
        "mean": scaler.mean_.round(6).tolist(), "scale": scaler.scale_.round(6).tolist(),
        "coef": lr.coef_[0].round(6).tolist(), "intercept": round(float(lr.intercept_[0]), 6),
        "threshold": threshold, "C": c,
        "cv": {"folds": FOLDS, "weighted_accuracy": round(best, 4), "auc": round(float(roc_auc_score(y, oof)), 4),
               "set_out_auc": round(set_out, 4),
               "brier": round(float(brier_score_loss(y, oof)), 4),
               "false_refusal_rate": round(float(((oof < threshold) & (y == 1)).sum() / max(y.sum(), 1)), 4),
               "refusal_recall": round(float(((oof < threshold) & (y == 0)).sum() / max((y == 0).sum(), 1)), 4)},
        # Out-of-fold calibration: per probability decile, how many rows, mean predicted, share answerable.
        "calibration": [{"bin": f"{b / 10:.1f}–{(b + 1) / 10:.1f}", "n": int((bins == b).sum()),
                         "predicted": round(float(oof[bins == b].mean()), 3), "observed": round(float(y[bins == b].mean()), 3)}
                        for b in range(10) if (bins == b).any()],
    }


def fit_model(assistant: Any, sets: Sequence[str | Path], out: Path | None = None) -> dict[str, Any]:
    x, v, y, groups, reach = grouped_rows(assistant, sets)
    share = share_at_model(reach)
    xv = np.hstack([x, v])
    # The question-vector fit has a weight per embedding dimension, so its regularisation is chosen, by how
    # well each candidate carries to a set it was not fitted on.
    c, vector_auc = _strongest(xv, y, groups, VECTOR_C)
    model = {
        "features": list(FEATURES), **_fitted(x, y, share, 1.0, set_out_auc(x, y, groups, 1.0)), "fitted": True,
        "answerable_share": ANSWERABLE_SHARE,
        "reach": {"answerable": round(reach[1], 4), "unanswerable": round(reach[0], 4)},
        "answerable_share_at_model": round(share, 4),
        "fitted_on": [str(s) for s in sets], "fitted_at": time.strftime("%Y-%m-%d"),
        "n": int(len(y)), "n_answerable": int(y.sum()),
        QUESTION_VECTOR: {"embedder": assistant.manifest["embedder"]["name"], "dim": int(v.shape[1]),
                            **_fitted(xv, y, share, c, vector_auc)},
    }
    path = out or MODEL_FILE
    path.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return model
