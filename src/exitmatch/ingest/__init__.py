"""Reading input files into canonical polars frames, validated, with nothing lost.

Reach for ``exitmatch.ingest.load.ingest`` to turn the files of one source into accepted
rows, quarantined rows and data issues; ``frames`` says what the accepted rows look like.
"""
