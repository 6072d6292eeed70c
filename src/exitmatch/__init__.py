"""exitmatch: entry/exit record reconciliation for IRPR 240(3) removal-order closures.

The package follows the data's path: ``contract`` (what files look like), ``ingest``
(reading and validating them), ``synth`` (synthetic nights with ground truth); the CLI in
``cli`` sits on top and nothing below imports it.
"""

__version__ = "0.1.0"
