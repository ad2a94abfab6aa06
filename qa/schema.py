"""Validating JSON written by hand or left on disk (index manifests, metadata sidecars) against a JSON Schema."""
from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
TEXT = {"type": "string"}


def schema_problem(instance: Any, schema: dict[str, Any]) -> str | None:
    """None when `instance` matches `schema`, else one line saying where it does not.

    e.g. `sources[0].sha256: 5 is not of type 'string'`; the first error in document order, so the
    message is the same on every run.
    """
    errors = sorted(Draft202012Validator(schema).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    first = errors[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.absolute_path).lstrip(".")
    return f"{where or 'top level'}: {first.message}"
