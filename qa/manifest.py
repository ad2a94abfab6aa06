"""The index manifest: what one build was made from and of, checked against a schema before it is trusted."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .builds import BUILD_ID
from .errors import IndexStateError
from .schema import SHA256, TEXT, schema_problem

FORMAT_VERSION = 3  # 3: sentences.npy
COMPONENTS = ("documents.jsonl", "chunks.jsonl", "vectors.faiss", "bm25/params.index.json", "sentences.npy")
_COUNT = {"type": "integer", "minimum": 0}
# What a manifest must look like before any of it is trusted; anything else is stale and rebuilt.
MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format_version", "build", "built_at", "embedder", "chunker_version", "max_chunk_chars",
                 "synonyms_sha256", "config", "sources", "skipped", "counts", "components"],
    "properties": {
        "format_version": {"type": "integer"},
        "build": {"type": "object", "required": ["id", "embed_seconds", "passages_per_second"], "properties": {
            "id": {"type": "string", "pattern": BUILD_ID.pattern},  # becomes a path: nothing but an id
            "embed_seconds": {"type": "number", "minimum": 0},
            "passages_per_second": {"type": "number", "exclusiveMinimum": 0},
        }},
        "built_at": TEXT,
        "embedder": {"type": "object", "required": ["name", "dim"],
                     "properties": {"name": TEXT, "dim": {"type": "integer", "minimum": 1}}},
        "chunker_version": {"type": "integer"},
        "max_chunk_chars": {"type": "integer"},
        "synonyms_sha256": TEXT,
        "config": {"type": "object"},
        "sources": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name", "file", "sha256", "encoding"],
            "properties": {"name": TEXT, "file": TEXT, "sha256": SHA256, "encoding": TEXT},
        }},
        "skipped": {"type": "array", "items": TEXT},
        "counts": {"type": "object", "required": ["documents", "chunks"],
                   "properties": {"documents": _COUNT, "chunks": _COUNT}},
        "components": {"type": "object", "required": list(COMPONENTS), "additionalProperties": SHA256,
                       # relative paths inside the build folder, never out of it
                       "propertyNames": {"pattern": r"^(?!.*\.\.)[\w.-]+(?:/[\w.-]+)*$"}},
    },
}


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a build folder; IndexStateError when it is unreadable, of another format or malformed."""
    file = folder / "manifest.json"
    try:
        manifest = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexStateError(f"index manifest {file} is unreadable ({exc})") from exc
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise IndexStateError(f"index format {version!r} is not the current {FORMAT_VERSION}")
    problem = schema_problem(manifest, MANIFEST_SCHEMA)
    if problem:
        raise IndexStateError(f"stale or damaged index manifest {file}: {problem}")
    if manifest["build"]["id"] != folder.name:
        raise IndexStateError(f"stale or damaged index manifest {file}: it describes build {manifest['build']['id']}")
    return manifest
