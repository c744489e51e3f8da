"""What each scenario layer holds: geometry types and columns (DESIGN section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CORRIDOR_KINDS",
    "CORRIDOR_STATUSES",
    "IMPASSABLE_KINDS",
    "LAYERS",
    "LAYER_NAMES",
    "LayerSpec",
    "PopulationRaster",
    "RELATIONS",
    "SIDE_KINDS",
]

POLYGONS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")
POINTS = ("Point", "MultiPoint")

#: Kinds of corridor; civilian and combatant corridors do not lift a siege.
CORRIDOR_KINDS: tuple[str, ...] = ("civilian", "combatant", "aid", "mixed")
#: Corridor kinds whose open status means aid can enter.
AID_KINDS: tuple[str, ...] = ("aid", "mixed")
CORRIDOR_STATUSES: tuple[str, ...] = ("announced", "open", "closed")
#: Relations between sides; sides not declared are hostile.
RELATIONS: tuple[str, ...] = ("hostile", "neutral", "allied")


@dataclass(frozen=True)
class LayerSpec:
    """The geometry types and columns of one layer."""

    name: str
    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    temporal: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        """Required then optional columns."""
        return self.required + self.optional


LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec(
            "zones",
            POLYGONS,
            ("party",),
            ("name", "valid_from", "valid_to", "source", "confidence"),
        ),
        LayerSpec("siege_lines", LINES, ("party",), ("name", "valid_from", "valid_to")),
        LayerSpec(
            "corridors",
            ("LineString",),
            ("corridor_id", "kind", "status"),
            (
                "name",
                "entrance_name",
                "exit_name",
                "announced_by",
                "valid_from",
                "valid_to",
                "source",
            ),
        ),
        LayerSpec("roads", LINES, (), ("name", "kind", "noded", "valid_from", "valid_to")),
        LayerSpec(
            "areas",
            POLYGONS,
            ("area_id",),
            ("name", "pcode", "population", "population_source", "valid_from", "valid_to"),
        ),
        LayerSpec(
            "population",
            POLYGONS + POINTS,
            ("population",),
            ("source", "valid_from", "valid_to"),
        ),
        LayerSpec(
            "facilities",
            POINTS,
            ("facility_id", "kind"),
            ("name", "valid_from", "valid_to", "source"),
        ),
        LayerSpec(
            "incidents",
            POINTS,
            ("date", "kind"),
            ("fatalities", "actor", "source", "valid_from", "valid_to"),
        ),
        LayerSpec(
            "impassable",
            POLYGONS + LINES,
            (),
            ("name", "kind", "valid_from", "valid_to", "source"),
        ),
    )
}

#: Kinds of impassable ground (others are accepted too; these are the usual ones).
IMPASSABLE_KINDS: tuple[str, ...] = ("sea", "lake", "river", "minefield", "wall")
#: Kinds of side: ``contested`` ground (a grey zone) holds no pockets and is hostile to all.
SIDE_KINDS: tuple[str, ...] = ("holding", "contested")

#: Layer names in the order they are read, written and listed.
LAYER_NAMES: tuple[str, ...] = tuple(LAYERS)


@dataclass(frozen=True)
class PopulationRaster:
    """A raster of people per cell named in a scenario (read only when used).

    Parameters
    ----------
    path : Path
        The raster file (any format rasterio reads, e.g. a WorldPop GeoTIFF).
    source : str
        Name of the estimate, reported beside the others.
    band : int
        Band holding the counts.
    """

    path: Path
    source: str = "raster"
    band: int = 1
