"""Errors and warnings raised by geoaccess.

Every problem with user input is reported as a :class:`ScenarioError` that names the layer,
the row and the column involved; repairable problems become one :class:`ScenarioWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "ScenarioWarning"]


@dataclass(frozen=True)
class Problem:
    """One finding about a scenario.

    Parameters
    ----------
    layer : str
        Layer (``zones``, ``corridors``...) or ``manifest`` for the scenario file itself.
    message : str
        What was found and how to fix it.
    row : object, optional
        Feature index or id of the offending row, ``None`` for the whole layer.
    column : str, optional
        Column involved, ``None`` when the problem is not about one column.
    value : object, optional
        The value found.
    """

    layer: str
    message: str
    row: object = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = [f"layer {self.layer!r}"]
        if self.row is not None:
            where.append(f"row {self.row!r}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        found = "" if self.value is None else f" (found {_short(self.value)})"
        return f"{', '.join(where)}: {self.message}{found}"


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)`` in at most ``limit`` characters, cut in the middle.

    Both ends stay: the start says what the value is, the end of a long path names the
    file (``'/home/.../scenario/missing.geojson'``).
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    head = (limit - 3) // 2
    return text[:head] + "..." + text[len(text) - (limit - 3 - head) :]


class ScenarioError(ValueError):
    """A scenario cannot be used as given.

    The message lists every fatal problem found, one per line; the problems themselves are
    in :attr:`problems`.
    """

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("scenario", problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the scenario:"]
        lines += [f"- {problem}" for problem in self.problems]
        super().__init__("\n".join(lines) if count > 1 else str(self.problems[0]))


class ScenarioWarning(UserWarning):
    """A scenario problem that geoaccess repaired (or that deserves a look)."""
