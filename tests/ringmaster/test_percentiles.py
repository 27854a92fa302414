"""The one percentile helper agrees with numpy's linear interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from ringmaster.percentiles import percentile


@pytest.mark.parametrize("q", [0, 1, 25, 50, 90, 95, 99, 99.9, 100])
def test_percentile_matches_numpy(q: float) -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 7.5]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_edges() -> None:
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)
