"""The collector of problems found while preparing a scenario."""

from __future__ import annotations

import warnings

from ..errors import Problem, ScenarioError, ScenarioWarning

__all__ = ["Findings"]


class Findings:
    """Fatal problems and repairs collected while preparing a scenario.

    Every problem is kept, so that one :class:`~geoaccess.errors.ScenarioError` lists
    them all; repairs become one :class:`~geoaccess.errors.ScenarioWarning`.
    """

    def __init__(self) -> None:
        self.fatal: list[Problem] = []
        self.repairs: list[Problem] = []

    def error(
        self,
        layer: str,
        message: str,
        row: object = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Record a fatal problem."""
        self.fatal.append(Problem(layer, message, row, column, value))

    def repaired(
        self, layer: str, message: str, row: object = None, column: str | None = None
    ) -> None:
        """Record a repair made."""
        self.repairs.append(Problem(layer, message, row, column))

    def raise_or_warn(self) -> None:
        """Raise one ScenarioError listing every fatal problem, else warn of the repairs."""
        if self.fatal:
            raise ScenarioError(self.fatal)
        if self.repairs:
            lines = "\n".join(f"- {p}" for p in self.repairs)
            warnings.warn(
                f"geoaccess repaired the scenario:\n{lines}", ScenarioWarning, stacklevel=4
            )
