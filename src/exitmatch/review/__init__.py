"""Officer review: a local web app to work the closure queue (``exitmatch review``).

The modules follow the data's path: ``accounts`` (users, roles, passwords), ``queue``
(what is waiting, filtered and paged), ``casefile`` (one case and its departure, side by
side), ``decisions`` (accept, reject, defer; four-eyes approval), ``exports`` (the
warrant-cancellation and decisions CSV files), ``dashboard`` and ``charts`` (indicators
drawn as SVG), ``audit`` (who saw and changed what), ``app`` (the routes) and ``server``.
Nothing below this package imports it.
"""
