"""in_background: a result or an error, handed over when asked for."""
import threading

import pytest

from helpers.run.background import in_background


def test_the_result_is_handed_over():
    started = threading.Event()

    def work():
        started.set()
        return 42

    result = in_background(work)
    assert started.wait(5)
    assert result() == 42
    assert result() == 42


def test_an_error_is_raised_where_the_result_is_asked_for():
    def broken():
        raise ValueError("no git here")

    result = in_background(broken)
    with pytest.raises(ValueError, match="no git here"):
        result()
