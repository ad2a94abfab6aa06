"""Who can reach the web UI: a warning when it serves beyond this machine, and the login (`--auth`)."""
from __future__ import annotations

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def host_warning(host: str) -> str | None:
    """A warning for an address reachable from other machines."""
    if host in LOCAL_HOSTS:
        return None
    return (f"warning: serving on {host}, reachable from other machines; anyone who can reach it can ask "
            "questions and send feedback. Use --auth user:password (or QA_AUTH) and a TLS proxy in front.")


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """"user:password" → (user, password); the password may contain ':'; None when not set."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError("--auth / QA_AUTH must be user:password (both non-empty)")
    return user.strip(), password
