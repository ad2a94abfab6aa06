"""Typed errors with messages meant for the person at the keyboard."""


class QAError(Exception):
    """Base class for every error this package raises on purpose."""


class QuestionError(QAError, ValueError):
    """The question cannot be asked as given (empty, too long)."""


class DocumentError(QAError):
    """A source document cannot be read; the message names the file."""


class IndexStateError(QAError):
    """The persisted index is missing, stale or corrupt (loading rebuilds it)."""


class SlowBuildError(IndexStateError):
    """The index needs a build that would take long, and the caller (the UI) asked not to start one."""


class UnknownNameError(QAError, KeyError):
    """A registry was asked for a name it does not have."""

    def __init__(self, kind: str, name: str, known: list[str], hint: str = "") -> None:
        self.kind, self.name, self.known = kind, name, known
        msg = f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}"
        super().__init__(msg + (f" ({hint})" if hint else ""))

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return str(self.args[0])


class UnknownChunkError(QAError, KeyError):
    def __str__(self) -> str:
        return f"unknown chunk id {self.args[0]!r}"



class OverBudgetError(QAError):
    """The answer did not come within the request's time budget (waiting for a worker included); the
    client may try again later."""
