"""Maps of many areas: the same classes, shapes and text in a page a browser loads fast."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from geoaccess.maps import jenks
from geoaccess.maps.jenks import natural_breaks


# ---------------------------------------------------------------------- natural breaks
def _values(seed: int) -> np.ndarray:
    """Skewed counts, normal values or round hundreds (ties), 5 to 250 of them."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 250))
    if seed % 3 == 0:
        return np.round(rng.lognormal(6.0, 1.2, n))
    if seed % 3 == 1:
        return rng.normal(0.0, 1.0, n)
    return np.round(rng.lognormal(6.0, 1.2, n) / 100) * 100


@pytest.mark.parametrize("block", [None, 300])
@pytest.mark.parametrize("seed", range(12))
def test_natural_breaks_are_mapclassifys(seed, block, monkeypatch):
    """Same breaks as mapclassify.FisherJenks, in one block of rows or in many."""
    mapclassify = pytest.importorskip("mapclassify")
    if block is not None:
        monkeypatch.setattr(jenks, "_BLOCK_CELLS", block)
    values = _values(seed)
    k = min(5, len(np.unique(values)))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        expected = [float(b) for b in mapclassify.FisherJenks(values, k=k).bins]
    assert natural_breaks(values, k) == expected


def test_natural_breaks_on_paper():
    # three clusters: the within-class squares are 2 + 2 + 0, any other split costs more
    assert natural_breaks([30, 1, 12, 2, 11, 3, 10], 3) == [3.0, 12.0, 30.0]
    assert natural_breaks([4.0, 4.0, 9.0], 2) == [4.0, 9.0]
    assert natural_breaks([7.0], 1) == [7.0]


def test_natural_breaks_refuses_more_classes_than_values():
    with pytest.raises(ValueError, match="distinct values"):
        natural_breaks([1.0, 1.0, 2.0], 3)
