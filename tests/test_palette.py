"""The default palette stays readable under colour-vision deficiency.

Every status colour and every side colour of the default palette is simulated as seen
with deuteranopia, protanopia and tritanopia (colorspacious, severity 100) and compared
in CAM02-UCS, the perceptually uniform space: every pair stays at least ``MIN_DELTA_E``
apart. The old red/green palette, which turned government ground, opposition ground and
"accessible" all khaki, fails the same test.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from geoaccess.display import SIDE_PALETTE, side_colors
from geoaccess.rules import STATUS_COLORS

colorspacious = pytest.importorskip("colorspacious", reason="pip install colorspacious")

#: Least CAM02-UCS distance between any two colours, under every simulation.
MIN_DELTA_E = 10.0
DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")
OLD = {
    "besieged": "#a50026",
    "hard_to_reach": "#fdae61",
    "accessible": "#1a9850",
    "government": "#c0392b",
    "opposition": "#27ae60",
    "sdf": "#f1c40f",
}


def rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def seen(color: str, deficiency: str | None) -> np.ndarray:
    if deficiency is None:
        return rgb(color)
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb(color), space, "sRGB1"), 0, 1)


def closest_pair(colors: dict[str, str], deficiency: str | None) -> tuple[float, str, str]:
    return min(
        (
            float(
                colorspacious.deltaE(
                    seen(colors[a], deficiency),
                    seen(colors[b], deficiency),
                    input_space="sRGB1",
                    uniform_space="CAM02-UCS",
                )
            ),
            a,
            b,
        )
        for a, b in itertools.combinations(colors, 2)
    )


def default_colors() -> dict[str, str]:
    sides = {f"side {k + 1}": c for k, c in enumerate(SIDE_PALETTE)}
    return {**STATUS_COLORS, **sides}


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_statuses_and_sides_stay_apart(deficiency):
    delta, a, b = closest_pair(default_colors(), deficiency)
    assert delta >= MIN_DELTA_E, f"{a} and {b}: {delta:.1f}"


def test_the_old_red_green_palette_fails_the_same_test():
    for deficiency in ("deuteranomaly", "protanomaly"):
        delta, first, second = closest_pair(OLD, deficiency)
        assert delta < MIN_DELTA_E, (deficiency, first, second)


def test_maps_use_the_safe_palette_unless_asked():
    parties = pd.DataFrame(
        {"id": ["g", "o"], "side": ["government", "opposition"], "color": ["#c0392b", "#27ae60"]}
    )
    assert list(side_colors(parties).values()) == list(SIDE_PALETTE[:2])
    assert side_colors(parties, palette="scenario") == {
        "government": "#c0392b",
        "opposition": "#27ae60",
    }
    with pytest.raises(ValueError, match="'colorblind', 'scenario'"):
        side_colors(parties, palette="rainbow")
