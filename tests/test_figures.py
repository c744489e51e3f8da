"""Static figures: each one rendered, looked at by numbers (size, not blank), and its texts.

Every PNG is rendered at a known size and checked for being a real picture (many
colours, the status colours present), not a blank page; the texts every figure must
carry (title, date, sources, disclaimer, creation date) are read from the figure.
"""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pytest

import geoaccess as ga
from geoaccess.rules import STATUS_COLORS

pytest.importorskip("matplotlib", reason='needs pip install "geoaccess[figures]"')
pytest.importorskip("matplotlib_scalebar", reason='needs pip install "geoaccess[figures]"')

CREATED = dt.date(2024, 5, 1)
DISCLAIMER = "do not imply official endorsement or acceptance"


@pytest.fixture(scope="module")
def scn() -> ga.Scenario:
    return ga.datasets.aleppo_2016()


@pytest.fixture(scope="module")
def res(bundled_20_july) -> ga.Assessment:
    return bundled_20_july


@pytest.fixture(scope="module")
def tl(bundled_half_year) -> ga.Timeline:
    return bundled_half_year


def pixels(path) -> np.ndarray:
    from matplotlib.image import imread

    return (imread(path)[..., :3] * 255).round().astype(int)


def assert_a_picture(image: np.ndarray) -> None:
    """Not blank: many distinct colours, much non-white ink."""
    flat = image.reshape(-1, 3)
    assert len(np.unique(flat, axis=0)) > 200
    assert (flat.sum(axis=1) < 700).mean() > 0.05


def has_color(image: np.ndarray, hex_color: str, *, tolerance: int = 12) -> bool:
    """Whether some pixels are within ``tolerance`` of ``hex_color`` (before blending)."""
    rgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(image - rgb).max(axis=2) <= tolerance).any())


def texts(figure) -> str:
    return "\n".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")))


def test_print_map_a4_png(res, tmp_path):
    path = tmp_path / "map.png"
    figure = res.plot(path, dpi=100, created=CREATED)
    image = pixels(path)
    # A4 landscape at 100 dpi: 297 x 210 mm
    assert image.shape[:2] == (int(210 / 25.4 * 100), int(297 / 25.4 * 100))  # truncated
    assert_a_picture(image)
    words = texts(figure)
    assert "Access status on 20 July 2016" in words
    assert "besieged: 69 areas, 250,000 people" in words  # the legend says the figures
    assert "Sources: Neighbourhoods: OCHA COD-AB" in words
    assert "CC BY-IGO 3.0" in " ".join(words.split())  # the credit OCHA's licence asks for
    assert "Illustrative reconstruction" in words  # the bundled scenario says it is
    assert DISCLAIMER in words
    assert "Created 1 May 2024" in words
    assert "N" in words  # the north arrow
    bars = [a for a in figure.axes[0].artists if type(a).__name__ == "ScaleBar"]
    assert len(bars) == 1


def test_print_map_a3_portrait_and_vector_formats(res, tmp_path):
    figure = res.plot(tmp_path / "map.pdf", paper="A3", landscape=False, created=CREATED)
    width, height = figure.get_size_inches()
    assert (round(width * 25.4), round(height * 25.4)) == (297, 420)
    assert (tmp_path / "map.pdf").read_bytes().startswith(b"%PDF")
    res.plot(tmp_path / "map.svg", created=CREATED)
    assert "<svg" in (tmp_path / "map.svg").read_text(encoding="utf-8")[:500]
    with pytest.raises(ValueError, match="png, pdf, svg"):
        res.plot(tmp_path / "map.gif")
    with pytest.raises(ValueError, match="A4, A3"):
        res.plot(paper="Letter")


def test_print_map_without_a_basemap_never_imports_contextily(res, monkeypatch):
    monkeypatch.setitem(sys.modules, "contextily", None)  # importing it would fail
    res.plot(created=CREATED)
    with pytest.raises(ImportError, match=r"geoaccess\[basemap\]"):
        res.plot(basemap=True, created=CREATED)


def test_population_chart(tl, tmp_path):
    path = tmp_path / "population.png"
    figure = tl.plot_population(path, dpi=80, created=CREATED)
    image = pixels(path)
    assert image.shape[:2] == (int(6.5 * 80), int(11.69 * 80))
    assert_a_picture(image)
    assert has_color(image, STATUS_COLORS["besieged"], tolerance=25)
    assert has_color(image, STATUS_COLORS["hard_to_reach"], tolerance=25)
    words = texts(figure)
    assert "People by access status" in words
    assert "besieged (peak 250,000)" in words
    assert "1 July 2016 to 31 December 2016" in words
    assert DISCLAIMER in words and "Created 1 May 2024" in words


def test_status_chart_has_one_row_per_area(tl, tmp_path):
    path = tmp_path / "status.png"
    figure = tl.plot_status(path, dpi=80, created=CREATED)
    image = pixels(path)
    assert_a_picture(image)
    assert has_color(image, STATUS_COLORS["besieged"])
    assert has_color(image, STATUS_COLORS["accessible"])
    areas = tl.intervals["area_id"].nunique()
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(labels) == areas == 109  # OCHA's Aleppo neighbourhoods
    assert "Bustan Al-Qaser" in labels
    assert DISCLAIMER in texts(figure)


def test_status_chart_draws_each_run_where_the_intervals_put_it(tl):
    """One bar per run with a status: the area's row, from its start to its end."""
    import matplotlib.dates as mdates
    from matplotlib.colors import to_hex

    figure = tl.plot_status(created=CREATED)
    axes = figure.axes[0]
    rows = {t.get_text(): k for k, t in enumerate(axes.get_yticklabels())}
    (bars,) = axes.collections
    drawn = sorted(
        (
            round(float(path.vertices[:, 1].mean())),
            mdates.num2date(path.vertices[:, 0].min()).date(),
            mdates.num2date(path.vertices[:, 0].max()).date(),
            to_hex(color),
        )
        for path, color in zip(bars.get_paths(), bars.get_facecolors(), strict=True)
    )
    runs = tl.intervals[tl.intervals["status"].notna()]
    want = sorted(
        (rows[name], start, end, STATUS_COLORS[status].lower())
        for name, start, end, status in zip(
            runs["name"], runs["start"], runs["end"], runs["status"], strict=True
        )
    )
    assert drawn == want
    status_of = {color.lower(): status for status, color in STATUS_COLORS.items()}
    bustan = {
        (start, status_of[color])
        for row, start, _, color in drawn
        if row == rows["Bustan Al-Qaser"]
    }
    assert (dt.date(2016, 7, 17), "besieged") in bustan


def test_figures_without_matplotlib_name_the_extra(res, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "geoaccess\[figures\]"'):
        res.plot()


def test_figures_leave_pyplot_alone(res):
    res.plot(created=CREATED)
    assert (
        "matplotlib.pyplot" not in sys.modules
        or not __import__("matplotlib.pyplot").pyplot.get_fignums()
    )
