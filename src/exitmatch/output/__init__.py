"""Writing what a run produces: CSV outputs, the run report and the terminal summary.

Reach for ``files`` to write any output file atomically (a reader never sees half a file),
with the header taken from the contract model of that output.
"""
