"""The access engine: from the zones valid on a date to the status of every piece of ground.

Rooms, in the order a date is evaluated:

- :mod:`.context`: the scenario projected once (immutable), and :mod:`.cache` with
  :mod:`.keys`, the one per-call cache and its keys;
- :mod:`.territory`: territories, pockets and front lines;
- :mod:`.sides`: one side's hostile, barrier and passable ground; :mod:`.safe_ground`:
  encirclement, fire control and route clearance;
- :mod:`.roads`, :mod:`.routes` (with :mod:`.graph`): the road network, usable and
  exposed roads, supply routes, lifelines, network distances; the roads are noded by
  :mod:`.noding`, with :mod:`.segments` (and its :mod:`.segment_grid` and
  :mod:`.segment_pairs`), :mod:`.crossings`, :mod:`.line_split` and :mod:`.edge_lines`;
- :mod:`.corridors`: corridors and the pockets they serve;
- :mod:`.pieces`: areas cut by pockets, reporting units;
- :mod:`.evidence`: the evidence of each piece; :mod:`.status`: the one status decision;
- :mod:`.passable`: where a walker can go (for population reach and catchments).

Their helpers: :mod:`.columns` (columns in and out of frames), :mod:`.arrays` (the
array type aliases), :mod:`.sorting` (stable orders of integer keys) and :mod:`.blocks`
(elementwise steps in cache-sized blocks).
"""
