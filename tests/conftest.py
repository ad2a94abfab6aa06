"""Real components, loaded once per test session: the bundled e5 model, FAISS, BM25, the real report."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa import Assistant, Config
from qa.lexical import Tokenizer, lexical_setup

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "seeds" / "yanshi-2026-government-work-report.txt"
DOC = REPORT.stem
TINY_END = "坚持抓创新强动能"  # the header, the opening and the first work paragraph: 7 passages


def tiny_config(folder: Path) -> Config:
    """A seeds folder of the report's first 7 passages under `folder`, its index beside it (not built)."""
    seeds = folder / "seeds"
    seeds.mkdir()
    text = REPORT.read_text(encoding="utf-8")
    (seeds / "report.txt").write_text(text[: text.index(TINY_END)], encoding="utf-8")
    return Config(seeds_dir=seeds, index_dir=folder / "index")


def lexical_parts() -> tuple[Tokenizer, str]:
    """What Assistant.load passes to the store besides the embedder: the tokenizer and the synonym table's sha256."""
    return lexical_setup()


@pytest.fixture(scope="session")
def report_text() -> str:
    return REPORT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The full report indexed with the default embedder, in a private index folder."""
    index = tmp_path_factory.mktemp("index")
    return Assistant.load(Config(index_dir=index), progress=None)


@pytest.fixture
def small_seeds(tmp_path: Path) -> Path:
    """A seeds folder with the report's first two sections only: quick to embed, same structure."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = REPORT.read_text(encoding="utf-8")
    (seeds / "report.txt").write_text(text[: text.index("三、2026 年重点工作")], encoding="utf-8")
    return seeds


@pytest.fixture
def copy_of(tmp_path: Path):
    def copy(src: Path) -> Path:
        dst = tmp_path / src.name
        shutil.copytree(src, dst) if src.is_dir() else shutil.copy(src, dst)
        return dst

    return copy


SYNTHETIC_DOC = "xinan-2026-synthetic-government-work-report"


@pytest.fixture(scope="session")
def two_report_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeds folder with the real report and a synthetic one about 新安县 (parent 洛阳), figures changed.

    Session-scoped so that one index of it can serve many tests: do not change it (copy it with copy_of).
    """
    from qa.synthetic import synthetic_report

    seeds = tmp_path_factory.mktemp("two-reports")
    shutil.copy(REPORT, seeds / REPORT.name)
    synthetic = synthetic_report(REPORT.read_text(encoding="utf-8"), "新安", "洛阳", seed=2026, level="县")
    (seeds / f"{SYNTHETIC_DOC}.txt").write_text(synthetic, encoding="utf-8")
    return seeds
