"""The `cross-encoder` reranker with a tiny CrossEncoder built here (a 2-layer BERT with random weights and a
character WordPiece vocabulary, saved as a Hugging Face folder), on the real report and retrieval.

What is tested is the plumbing (loading by path, the pairs it scores, the order, the scores kept beside
the retrieval score, the calibration), and that refusal does not depend on the reranker's score scale;
not ranking quality (the weights are random).
"""
from __future__ import annotations

import json
import math
import string
from pathlib import Path

import numpy as np
import pytest

from qa import Assistant, Config
from qa.cli import main
from qa.evaluation import run_config
from qa.rerankers import RERANKERS
from qa.rerankers.cross_encoder import PROBABILITY, fit_calibration, passage_text
from qa.types import Hit

from .conftest import REPORT

GDP = "偃师2025年地区生产总值增长了多少？"


@pytest.fixture(scope="module")
def tiny_ce(tmp_path_factory) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-ce")
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
    for ch in sorted(set(REPORT.read_text("utf-8").lower()) | set(string.printable.lower()) | set("？")):
        if not ch.isspace():
            vocab.setdefault(ch, len(vocab))
    wordpiece = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    wordpiece.decoder = decoders.WordPiece()
    PreTrainedTokenizerFast(tokenizer_object=wordpiece, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
                            pad_token="[PAD]", mask_token="[MASK]", model_max_length=512).save_pretrained(folder)
    torch.manual_seed(0)
    # A wide initialisation, so that random weights still give passages clearly different scores.
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=1, initializer_range=0.5)
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def reranked(assistant, tiny_ce) -> Assistant:
    return Assistant.load(Config(index_dir=assistant.config.index_dir, reranker="cross-encoder",
                                 reranker_model=str(tiny_ce), reranker_scale=2.0, reranker_shift=-1.0), progress=None)


def test_passages_are_ordered_by_the_cross_encoder_score_kept_beside_the_retrieval_score(reranked, tiny_ce):
    import torch
    from sentence_transformers import CrossEncoder

    query = reranked.retriever.prepare(reranked.analyzer.analyse(GDP))
    pool = reranked.retriever.search(query, reranked.config.rerank_pool)
    hits = reranked.reranker.rerank(query, pool)
    raw = [h.scores["cross-encoder"] for h in hits]
    assert raw == sorted(raw, reverse=True) and len(set(raw)) > 1
    # The retrieval score is kept as it was; the reranker's own scores sit beside it.
    retrieval = {h.chunk.id: h.score for h in pool}
    assert all(h.score == retrieval[h.chunk.id] and set(h.scores) == {"cross-encoder", PROBABILITY} for h in hits)
    # The raw score is the model's logit for (question, heading：passage), no activation applied.
    model = CrossEncoder(str(tiny_ce))
    expected = model.predict([(query.text, passage_text(h.chunk)) for h in hits], activation_fn=torch.nn.Identity(),
                             show_progress_bar=False)
    assert np.allclose(raw, expected, atol=1e-5)
    # `fused` is the passage's rank before the rerank.
    assert sorted(h.ranks["fused"] for h in hits) == list(range(1, len(pool) + 1))


def test_the_calibrated_probability_uses_the_configured_scale_and_shift(reranked):
    hits = reranked.ask(GDP).hits
    for h in hits:
        assert h.scores[PROBABILITY] == pytest.approx(1 / (1 + math.exp(-(2.0 * h.scores["cross-encoder"] - 1.0))))
    # Recorded with every evaluation run (metrics.json › config › settings).
    settings = run_config(reranked, "set.jsonl", 5, "all")["settings"]
    assert (settings["reranker"], settings["reranker_scale"], settings["reranker_shift"]) == ("cross-encoder", 2.0, -1.0)


def test_refusal_does_not_read_the_reranker_score(reranked):
    """The evidence model is computed from clause windows, the retrieval score and the embedder: a reranker
    score on any scale (here multiplied by 1000 and shifted) changes neither its inputs nor its verdict."""
    for question in (GDP, "2025年偃师职工平均工资是多少？"):
        analysis = reranked.analyzer.analyse(question)
        query = reranked.retriever.prepare(analysis)
        hits = reranked.reranker.rerank(query, reranked.retriever.search(query, reranked.config.rerank_pool))[:5]
        rescaled = [Hit(h.chunk, h.score, h.ranks, {k: 1000 * v - 50 for k, v in h.scores.items()}) for h in hits]
        assert reranked.judge(analysis, query, hits) == reranked.judge(analysis, query, rescaled)


def test_answers_and_refusals_still_work_with_the_cross_encoder(reranked):
    answer = reranked.ask(GDP, top_k=20)
    assert not answer.refused and "6.7%" in answer.text
    refused = reranked.ask("2019年偃师新增了多少个充电桩？")
    assert refused.refused and refused.check == "uncovered_year"


def test_calibration_recovers_a_known_logistic_scale_and_shift():
    rng = np.random.default_rng(0)
    raw = rng.uniform(-6, 6, 4000)
    labels = (rng.uniform(size=raw.size) < 1 / (1 + np.exp(-(1.5 * raw - 2.0)))).astype(int)
    scale, shift = fit_calibration(raw, labels)
    assert scale == pytest.approx(1.5, abs=0.2) and shift == pytest.approx(-2.0, abs=0.3)
    with pytest.raises(ValueError, match="both"):
        fit_calibration([0.1, 0.2], [1, 1])


def test_qa_calibrate_prints_the_scale_and_shift_to_set(assistant, tiny_ce, tmp_path, monkeypatch, capsys):
    items = [{"id": f"c{i}", "question": q, "answerable": True, "answer": a, "evidence": [e], "type": "number"}
             for i, (q, a, e) in enumerate([(GDP, "6.7%", "全年地区生产总值增长6.7%"),
                                            ("2025年偃师新增了多少个充电桩？", "106个", "新增停车位395个、充电桩106个")], start=1)]
    qa_set = tmp_path / "set.jsonl"
    qa_set.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    monkeypatch.setenv("QA_INDEX_DIR", str(assistant.config.index_dir))
    assert main(["calibrate", str(qa_set), "--split", "all", "--reranker-model", str(tiny_ce)]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["pairs"] == 40 and 2 <= result["relevant"] < 40
    assert isinstance(result["reranker_scale"], float) and "export QA_RERANKER_SCALE=" in err


def test_the_cross_encoder_without_a_model_says_which_setting_is_missing():
    with pytest.raises(ValueError, match="QA_RERANKER_MODEL"):
        RERANKERS.create("cross-encoder", scorer=None, config=Config())


def test_the_cli_reports_a_missing_reranker_model_in_one_line(assistant, monkeypatch, capsys):
    monkeypatch.setenv("QA_INDEX_DIR", str(assistant.config.index_dir))
    assert main(["ask", "--reranker", "cross-encoder", GDP]) == 2
    assert capsys.readouterr().err.startswith("qa: error: the cross-encoder reranker needs a model")
