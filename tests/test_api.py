"""The public API of DESIGN section 4 is importable and callable as documented."""

from __future__ import annotations

import importlib
import inspect

import geoaccess as ga

PUBLIC_FUNCTIONS = (
    "read_scenario",
    "write_scenario",
    "validate",
    "assess",
    "timeline",
    "front_lines",
    "pockets",
    "allocate_population",
    "population_within",
    "network_distance",
)


def test_public_functions_are_functions_even_after_importing_their_modules():
    # importing the modules that hold the functions must not replace the functions on the
    # package
    for module in ("geoaccess.pipeline.assess", "geoaccess.pipeline.timeline", "geoaccess.api"):
        importlib.import_module(module)
    for name in PUBLIC_FUNCTIONS:
        assert inspect.isfunction(getattr(ga, name)), name


def test_everything_in_all_exists_and_has_a_docstring():
    for name in ga.__all__:
        value = getattr(ga, name)
        assert value is not None
        if callable(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_data_goes_positional_and_options_keyword_only():
    signature = inspect.signature(ga.network_distance)
    kinds = {p.name: p.kind for p in signature.parameters.values()}
    assert kinds["barriers"] is inspect.Parameter.KEYWORD_ONLY
    assert kinds["max_m"] is inspect.Parameter.KEYWORD_ONLY
    assert inspect.signature(ga.allocate_population).parameters["column"].kind is (
        inspect.Parameter.KEYWORD_ONLY
    )
