"""How long an index build will take, estimated before anything is embedded, and whether to start it."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .builds import current
from .config import Config
from .errors import IndexStateError, SlowBuildError
from .manifest import read_manifest

Progress = Callable[[str], None]


def passages_per_second(path: Path, config: Config) -> float:
    """The embedding speed the previous build of this index measured, else the configured one."""
    try:
        return float(read_manifest(current(path))["build"]["passages_per_second"])
    except IndexStateError:
        return config.build_passages_per_second


def check_duration(passages: int, per_second: float, config: Config, progress: Progress, allowed: bool,
                   cached: int = 0) -> None:
    """Refuse (SlowBuildError) or announce a build the estimate says is slow, before anything is embedded."""
    seconds = passages / per_second
    if seconds <= config.slow_build_seconds:
        return
    estimate = (f"building the index will take about {seconds:.0f} s ({passages} passages at {per_second:.1f} per second"
                + (f"; {cached} passages and sentences from the vector cache)" if cached else ")"))
    if not allowed:
        raise SlowBuildError(f"{estimate}, too long to start here: run `qa build` in a terminal first "
                             "(it shows progress), then start again")
    progress(estimate)
