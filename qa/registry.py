"""A named registry of factories, one per swappable stage (answerers, rerankers)."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

from .errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def wrap(factory: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = factory
            return factory

        return wrap

    def names(self) -> list[str]:
        return sorted(self._factories)

    def check(self, name: str) -> str:
        if name not in self._factories:
            raise UnknownNameError(self.kind, name, self.names())
        return name

    def create(self, name: str, *args: object, **kwargs: object) -> T:
        """A new stage object; UnknownNameError naming the known ones for a wrong name."""
        return self._factories[self.check(name)](*args, **kwargs)
