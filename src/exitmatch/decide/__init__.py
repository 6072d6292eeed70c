"""IRPR 240(3) decisions: which departures qualify, how sure we are, what follows.

``timing`` places a departure against the order's dates, ``bands`` says how much review a
link needs (and finds ambiguity), ``evidence`` writes the line an officer reads, and
``outcomes`` assembles closure candidates, warrant cancellations, re-entry alerts and
early departures.
"""
