import pytest
from pydantic import ValidationError

from shipway.config.deploy import Environment


def test_scale_down_never_keeps_the_previous_release_and_watches_one_window() -> None:
    never = Environment(port=8000, scale_down_delay="never", analysis={"window": "2m"})
    assert (never.keeps_previous, never.warm_window) == (True, 120.0)
    timed = Environment(port=8000, scale_down_delay="10s")
    assert (timed.keeps_previous, timed.warm_window) == (False, 10.0)
    with pytest.raises(ValidationError):
        Environment.model_validate({"port": 8000, "scale_down_delay": "forever"})
