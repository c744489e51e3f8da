"""The scale path: the same calls on Dask (``dask.distributed`` and ``dask-geopandas``).

The only package that imports dask, always lazily (:mod:`.cluster`): without the extra
(``pip install "geoaccess[dask]"``) the rest of geoaccess works, and passing a
``client=`` raises an :class:`ImportError` saying what to install.

- :mod:`.timeline`: a timeline's change dates as Dask tasks (:class:`~.timeline.DaskRunner`);
- :mod:`.population`: population allocation of dask-geopandas partitions;
- :mod:`.raster`: a population raster in row windows.

A single :func:`geoaccess.assess` is not distributed.
"""
