"""The wheel ships the bundled scenario and the coastline as package data, used when installed."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bundled_scenario_loads_from_the_wheel(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("geoaccess-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "geoaccess/_data/geo/aleppo_2016/scenario.toml" in names
    assert "geoaccess/_data/coastline/ne_10m_land_2deg.fgb" in names
    assert "geoaccess/_data/coastline/README.md" in names
    assert not any(name.startswith(("tests/", "data/")) for name in names)
    code = (
        "import geoaccess as ga; scn = ga.datasets.aleppo_2016(); "
        "print(ga.datasets.data_path('aleppo_2016')); print(len(scn.zones)); "
        "from geoaccess.io import coastline; print(coastline.coastline_path()); "
        "print(coastline.sea_within(scn.frame).is_empty)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    where, zones, coast, no_sea = done.stdout.split()
    assert Path(where).is_relative_to(site)  # the packaged copy, not the checkout's
    assert int(zones) > 0
    assert Path(coast).is_relative_to(site)
    assert no_sea == "True"  # Aleppo is inland
