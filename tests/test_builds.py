"""The index on disk: versioned builds behind CURRENT, the manifest schema, slow and read-only builds.

These call qa.store directly (build, check, load: what Assistant.load calls) with the real e5 model,
FAISS and bm25s, on a seeds folder of the report's first few paragraphs, so that each build takes seconds.
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from qa.builds import BUILDS, GRACE_SECONDS, POINTER, current
from qa.embedders import get_embedder
from qa.errors import IndexStateError, SlowBuildError
from qa.store import build, check, index_path, load
from qa.stores.vector_cache import FOLDER as CACHE

from .conftest import ROOT, lexical_parts, tiny_config

@pytest.fixture(scope="module")
def parts():
    """What Assistant.load passes to the store: the embedder, the tokenizer and the synonym table's sha256."""
    return (get_embedder("e5-small"), *lexical_parts())


@pytest.fixture
def config(tmp_path):
    """A seeds folder of 7 passages, not indexed yet."""
    return tiny_config(tmp_path)


@pytest.fixture(scope="module")
def _built_once(tmp_path_factory, parts):
    config = tiny_config(tmp_path_factory.mktemp("built"))
    _build(config, parts)
    return config


@pytest.fixture
def built(_built_once, tmp_path):
    """A copy of a built tiny index and its seeds, for one test to change (checks compare file names, not paths)."""
    shutil.copytree(_built_once.seeds_dir.parent, tmp_path / "copy")
    return _built_once.replace(seeds_dir=tmp_path / "copy" / "seeds", index_dir=tmp_path / "copy" / "index")


def _build(config, parts, said=None, **options):
    return build(config, *parts, progress=(said if said is not None else []).append, **options)


def _check(config, parts):
    embedder, _, sha = parts
    return check(index_path(config, embedder.name), config, embedder.name, sha)


def _folder(config):
    return index_path(config, "e5-small")


def _age(path, seconds):
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


# ------------------------------------------------------------------ versioned builds behind CURRENT


def test_current_names_the_build_that_was_written(config, parts):
    index = _build(config, parts)
    assert (_folder(config) / POINTER).read_text("utf-8") == f"{BUILDS}/{index.path.name}\n"
    assert current(_folder(config)) == index.path
    assert index.manifest["build"]["id"] == index.path.name


def test_a_rebuild_switches_current_and_keeps_the_old_build_for_readers_still_reading_it(config, parts):
    first = _build(config, parts)
    second = _build(config, parts)
    assert current(_folder(config)) == second.path != first.path
    assert sorted(p.name for p in (_folder(config) / BUILDS).iterdir()) == sorted([first.path.name, second.path.name])
    assert load(_folder(config), first.manifest).chunks == first.chunks  # still readable in its grace period


def test_a_build_retired_longer_than_the_grace_period_is_removed_by_the_next_build(config, parts):
    first = _build(config, parts)
    second = _build(config, parts)
    _age(first.path, GRACE_SECONDS + 1)
    third = _build(config, parts)
    assert sorted(p.name for p in (_folder(config) / BUILDS).iterdir()) == sorted([second.path.name, third.path.name])


_KILL_AT_SWAP = """
import os, signal, sys
# Dies the way `kill -9` would, at the moment the new build is about to become current.
os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)
from qa.cli import main
sys.exit(main(["build", "--seeds", sys.argv[1], "--index", sys.argv[2]]))
"""


def test_a_build_killed_during_the_swap_leaves_the_old_index_in_use_and_the_next_build_cleans_up(built, parts):
    config, old = built, current(_folder(built))
    killed = subprocess.run([sys.executable, "-c", _KILL_AT_SWAP, str(config.seeds_dir), str(config.index_dir)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert current(_folder(config)) == old and _check(config, parts)["build"]["id"] == old.name
    leftovers = sorted(p.name for p in _folder(config).iterdir() if p.name.startswith(".tmp-"))
    orphan = next(p for p in (_folder(config) / BUILDS).iterdir() if p != old)  # complete, never current
    assert len(leftovers) == 1 and leftovers[0].startswith(f".tmp-{POINTER}-")
    _age(orphan, GRACE_SECONDS + 1)
    new = _build(config, parts)
    assert sorted(p.name for p in _folder(config).iterdir()) == [POINTER, BUILDS, CACHE]
    assert sorted(p.name for p in (_folder(config) / BUILDS).iterdir()) == sorted([old.name, new.path.name])


def test_a_half_written_build_left_by_a_killed_process_is_removed(built, parts):
    config = built
    half = _folder(config) / BUILDS / ".tmp-abc123"
    half.mkdir()
    (half / "chunks.jsonl").write_text("{", encoding="utf-8")
    _build(config, parts)
    assert not half.exists()


def test_an_index_of_the_old_single_folder_layout_is_rebuilt_and_its_files_removed(config, parts):
    legacy = _folder(config)
    legacy.mkdir(parents=True)
    (legacy / "manifest.json").write_text('{"format_version": 1}', encoding="utf-8")
    (legacy / "bm25").mkdir()
    with pytest.raises(IndexStateError, match="no index at"):
        _check(config, parts)
    _build(config, parts)
    assert sorted(p.name for p in legacy.iterdir()) == [POINTER, BUILDS, CACHE]


def test_a_pointer_out_of_the_index_folder_is_not_followed(built, parts):
    config = built
    (_folder(config) / POINTER).write_text("builds/../../../etc\n", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"^stale or damaged index pointer .*CURRENT: 'builds/../../../etc' is not builds/<id>$"):
        _check(config, parts)


# ------------------------------------------------------------------ manifest schema


@pytest.mark.parametrize("damage, problem", [
    (lambda m: m["sources"][0].update(sha256=5), "sources[0].sha256: 5 is not of type 'string'"),
    (lambda m: m.update(sources={"report.txt": "x"}), "sources: {'report.txt': 'x'} is not of type 'array'"),
    (lambda m: m["sources"][0].pop("file"), "sources[0]: 'file' is a required property"),
    (lambda m: m.update(components={"vectors.faiss": 1}), "components: 'documents.jsonl' is a required property"),
    (lambda m: m["components"].update({"../../secret": "0" * 64}), "components: '../../secret' does not match"),
    (lambda m: m.update(embedder="e5-small"), "embedder: 'e5-small' is not of type 'object'"),
    (lambda m: m["embedder"].pop("name"), "embedder: 'name' is a required property"),
    (lambda m: m.pop("counts"), "top level: 'counts' is a required property"),
    (lambda m: m["build"].update(id="../x"), "build.id: '../x' does not match"),
])
def test_a_manifest_with_wrong_types_or_missing_keys_is_stale_not_a_traceback(built, parts, damage, problem):
    config = built
    file = current(_folder(config)) / "manifest.json"
    manifest = json.loads(file.read_text("utf-8"))
    damage(manifest)
    file.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexStateError) as caught:
        _check(config, parts)
    assert str(caught.value).startswith(f"stale or damaged index manifest {file}: {problem}")


def test_a_manifest_of_another_build_is_stale(config, parts):
    first = _build(config, parts)
    second = _build(config, parts)
    (second.path / "manifest.json").write_text((first.path / "manifest.json").read_text("utf-8"), encoding="utf-8")
    with pytest.raises(IndexStateError, match=f"it describes build {first.path.name}$"):
        _check(config, parts)


# ------------------------------------------------------------------ slow builds


def test_a_slow_build_is_refused_before_anything_is_embedded_when_the_caller_asks(config, parts):
    slow = config.replace(build_passages_per_second=1.0, slow_build_seconds=5)
    with pytest.raises(SlowBuildError) as caught:
        _build(slow, parts, allow_slow_build=False)
    assert str(caught.value) == ("building the index will take about 7 s (7 passages at 1.0 per second), too long to start "
                                 "here: run `qa build` in a terminal first (it shows progress), then start again")
    assert not (_folder(config) / POINTER).exists()


def test_a_slow_build_is_announced_with_its_estimate_and_goes_ahead_by_default(config, parts):
    said: list[str] = []
    _build(config.replace(build_passages_per_second=1.0, slow_build_seconds=5), parts, said)
    assert "building the index will take about 7 s (7 passages at 1.0 per second)" in said
    assert _check(config, parts)


def test_a_build_below_the_limit_says_nothing_about_time(config, parts):
    said: list[str] = []
    _build(config, parts, said)  # 7 passages at the configured 4 per second: 2 s
    assert not any("will take" in m for m in said)


def test_the_estimate_uses_the_speed_the_last_build_of_this_index_measured(config, parts):
    first = _build(config, parts)
    assert first.manifest["build"]["passages_per_second"] > 0.5  # 7 passages, their sentences, in seconds
    # Configured as absurdly slow (700 s), but this machine's measured speed says seconds: not refused.
    _build(config.replace(build_passages_per_second=0.01, slow_build_seconds=60), parts, allow_slow_build=False)


# ------------------------------------------------------------------ read-only index folder


@contextlib.contextmanager
def _read_only(folder):
    """Makes `folder` and everything in it unwritable, for root too (chattr +i), and undoes it afterwards."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        undo = lambda: [p.chmod(m) for p, m in modes.items()]  # noqa: E731
    else:
        done = subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot make a folder read-only here: {done.stderr.strip()}")
        undo = lambda: subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)  # noqa: E731
    try:
        yield
    finally:
        undo()


def test_a_stale_index_in_a_read_only_folder_is_used_with_a_warning_saying_what_to_do(built, parts):
    config, old = built, current(_folder(built))
    with (config.seeds_dir / "report.txt").open("a", encoding="utf-8") as f:
        f.write("\n\n补充说明。全年新增口袋公园999个。\n")
    said: list[str] = []
    with _read_only(config.index_dir):
        index = _build(config, parts, said)
    assert index.path == old and not any("999" in c.text for c in index.chunks)
    assert said[-1] == (
        f"warning: the index in {_folder(config)} is stale (source documents changed since the index was built "
        "(report.txt)) because the folder is not writable; answers come from the existing index. To update it, "
        f"make {config.index_dir} and the folders in it writable and run `qa build`, or set QA_INDEX_DIR to a writable folder")


def test_a_read_only_folder_without_an_index_is_a_clear_error(config, parts):
    config.index_dir.mkdir()
    with _read_only(config.index_dir), pytest.raises(IndexStateError) as caught:
        _build(config, parts)
    message = str(caught.value)
    assert message.startswith(f"cannot build the index: {_folder(config)} is not writable (")
    assert message.endswith(f"and holds no usable index (no index at {_folder(config)}); make {config.index_dir} and the "
                            "folders in it writable and run `qa build`, or set QA_INDEX_DIR to a writable folder")


# ------------------------------------------------------------------ document metadata in the index


def test_each_document_carries_its_place_level_parent_and_year(built, parts):
    config = built
    index = load(_folder(config), _check(config, parts))
    doc = index.documents["report"]
    assert (doc.place, doc.place_full, doc.level, doc.parent, doc.year) == ("偃师", "偃师区", "区", "洛阳", 2026)
    stored = json.loads((index.path / "documents.jsonl").read_text("utf-8").splitlines()[0])
    assert {k: stored[k] for k in ("place", "place_full", "level", "parent", "year")} == {
        "place": "偃师", "place_full": "偃师区", "level": "区", "parent": "洛阳", "year": 2026}


def test_adding_a_metadata_sidecar_makes_the_index_stale_and_the_rebuild_uses_it(built, parts):
    config = built
    (config.seeds_dir / "report.meta.json").write_text('{"place": "新安", "level": "县"}', encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"source documents changed since the index was built \(report.txt\)"):
        _check(config, parts)
    doc = _build(config, parts).documents["report"]
    assert (doc.place, doc.place_full, doc.level, doc.parent) == ("新安", "新安县", "县", "洛阳")
