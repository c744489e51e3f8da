"""The pipeline: one evaluation per date, the backward walk, results over one date or a period.

- :mod:`.evaluate`: :func:`~.evaluate.evaluate`, one date at the depth asked for;
- :mod:`.history`: the backward walk behind ``status_since``, and final statuses;
- :mod:`.assess`: :func:`~.assess.assess`, :func:`~.assess.pockets`,
  :func:`~.assess.front_lines`; :mod:`.frames`: their result frames;
- :mod:`.timeline`: :func:`~.timeline.timeline`;
- :mod:`.results`: the frozen :class:`~.results.Assessment` and :class:`~.results.Timeline`.
"""
