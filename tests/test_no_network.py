"""The whole pipeline runs with sockets blocked: no connection is ever attempted."""

from __future__ import annotations

import socket
import warnings
from pathlib import Path

import pytest

import geoaccess as ga


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Block and record every attempt to resolve a name or open a connection."""
    attempts: list[tuple] = []

    def refuse(name: str):
        def blocked(*args: object, **kwargs: object) -> None:
            attempts.append((name, args[1:] if name == "connect" else args))
            raise OSError(f"network blocked by the test: {name}{args!r}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def test_whole_pipeline_without_network(no_network: list[tuple], tmp_path: Path) -> None:
    folder = ga.write_scenario(ga.datasets.aleppo_2016(), tmp_path / "scn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ga.ScenarioWarning)
        scn = ga.read_scenario(folder, allow_outside=True)
    ga.validate(scn)
    res = ga.assess(scn, "2016-07-30")
    tl = ga.timeline(scn, "2016-07-15", "2016-08-10")
    res.to_html(tmp_path / "map.html")
    res.to_html(tmp_path / "map_offline.html", offline=True, tiles=None)
    tl.to_html(tmp_path / "timeline.html")
    res.to_csv(tmp_path / "csv", hxl=True)
    res.to_file(tmp_path / "out.gpkg")
    res.to_excel(tmp_path / "out.xlsx")
    tl.to_csv(tmp_path / "tl", daily=True)
    ga.write_scenario(scn, tmp_path / "again.gpkg")
    assert (tmp_path / "map.html").stat().st_size > 10_000
    assert no_network == [], no_network


def test_the_blocker_works(no_network: list[tuple]) -> None:
    with pytest.raises(OSError, match="network blocked"):
        socket.create_connection(("example.org", 80))
    assert no_network
    no_network.clear()
