"""Work a run starts early and collects later, so that it overlaps with the notebooks."""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def in_background(function: Callable[[], T]) -> Callable[[], T]:
    """Start `function` in a daemon thread; the returned callable waits for its result (or its error)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = function()
        except BaseException as error:  # handed to the caller, who decides what it means
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    return result
