"""Self-contained HTML: folium's JavaScript and CSS inlined from an installed package.

folium links Leaflet, jQuery, Bootstrap, awesome-markers and its plugins from CDNs. With
``offline=True`` (the default of every geoaccess map) these links are replaced at render
time by the same files shipped in the ``folium-offline`` package (a dependency of
geoaccess; ``geoaccess[offline]`` names it too), which holds them keyed by the very URLs
folium uses. No network is touched to do this.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement

__all__ = ["OfflineResources", "make_offline", "offline_resources"]

logger = logging.getLogger(__name__)

EXTRA_HINT = 'pip install "geoaccess[offline]"'


def offline_resources() -> Mapping[str, str]:
    """The web resources of ``folium-offline``, by the CDN URL folium links them from.

    Raises
    ------
    ImportError
        When the optional extra is not installed, naming it.
    """
    try:
        from offlinefolium import elements
    except ImportError as error:
        msg = (
            f"offline=True needs folium-offline: {EXTRA_HINT} (or pass offline=False to "
            "link the scripts from CDNs)"
        )
        raise ImportError(msg) from error
    resources = getattr(elements, "_res", None)
    if not isinstance(resources, Mapping) or not resources:
        msg = f"the installed folium-offline ships no web resources; reinstall {EXTRA_HINT}"
        raise ImportError(msg)
    return resources


class InlineCopy(Element):
    """A script or stylesheet copied into the page, written out as it is.

    An :class:`~branca.element.Element` built from a string compiles that string as a
    Jinja template. The library files are no templates: compiling them took most of an
    offline page's render time (0.3 s for the fourteen files of an assessment map), and
    a ``{%`` or ``{#`` in one of them would break or change the page.
    """

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "InlineCopy"
        self.markup = markup

    def render(self, **kwargs: object) -> str:
        """The markup, unchanged."""
        return self.markup


def _inline(kind: str, code: str) -> InlineCopy:
    if kind == "js":
        return InlineCopy("<script>" + code.replace("</script", "<\\/script") + "</script>")
    return InlineCopy("<style>" + code.replace("</style", "<\\/style") + "</style>")


class OfflineResources(MacroElement):
    """Replaces the page's CDN links by inline copies when the page is rendered.

    Add it to a map last (after every other layer and plugin): it rewrites the links
    already collected in the page header. Links it has no copy of are left in place and
    logged.

    Parameters
    ----------
    resources : mapping of str to str
        File contents by URL, as returned by :func:`offline_resources`.
    """

    def __init__(self, resources: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "OfflineResources"
        self.resources = resources
        self.missing: list[str] = []

    # branca annotates Element.render as returning str, but MacroElement.render (which
    # this extends) returns None
    def render(self, **kwargs: object) -> None:  # type: ignore[override]
        """Inline every linked script and stylesheet that has a local copy."""
        super().render(**kwargs)
        figure = self.get_root()
        if not isinstance(figure, Figure):
            return
        children = figure.header._children
        for name, child in list(children.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                code = self.resources.get(child.url)
                if code is None:
                    self.missing.append(child.url)
                    logger.warning("no offline copy of %s; the page will fetch it", child.url)
                    continue
                kind = "js" if isinstance(child, JavascriptLink) else "css"
                element = _inline(kind, code)
                element._parent = figure.header
                children[name] = element


def make_offline(m: folium.Map) -> OfflineResources:
    """Attach an :class:`OfflineResources` to the map (raises ImportError without the extra)."""
    element = OfflineResources(offline_resources())
    m.add_child(element)
    return element
