"""Retrieval back ends behind one small interface, registered by name (`Config.store`, `QA_STORE`).

A store is given the prepared `Query` (its embedding `query.vector`, BM25 tokens `query.tokens`, the
synonym-expanded text `query.expanded`, its periods and the `query.docs` filter) and returns fused `Hit`s,
each with its per-retriever ranks (`Hit.ranks`). The chunk records, documents and sentence vectors always
come from the local index folder (the answer stage needs them); a store only decides which passages come
back, in which order.

    local    FAISS + bm25s in the index folder (qa/stores/local.py), the default
    milvus   Milvus through pymilvus (qa/stores/milvus.py): Milvus Lite for a file URI, a server for http://…
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..registry import Registry

if TYPE_CHECKING:
    from ..config import Config
    from ..lexical import Tokenizer
    from ..query import Query
    from ..store import Index
    from ..types import Hit


class Store(Protocol):
    name: str

    def search(self, query: "Query", top_k: int, mode: str) -> list["Hit"]:
        """At most top_k passages for `query`, best first, searched with `mode` (hybrid, dense, bm25) and
        restricted to `query.docs`; each Hit carries its fused score and per-retriever ranks."""


STORES: Registry[Store] = Registry("store")


@STORES.register("local")
def _local(index: "Index", config: "Config", **_: object) -> Store:
    from .local import LocalStore

    return LocalStore(index, config)


@STORES.register("milvus")
def _milvus(index: "Index", config: "Config", tokenizer: "Tokenizer | None" = None) -> Store:
    from .milvus import MilvusStore

    return MilvusStore(index, config, tokenizer)


def open_store(index: "Index", config: "Config", tokenizer: "Tokenizer | None" = None) -> Store:
    """The store `config.store` names, over `index`; UnknownNameError naming the known ones otherwise."""
    return STORES.create(config.store, index, config, tokenizer=tokenizer)
