"""Synthetic border data with ground truth: ``exitmatch synth``.

Reach for this package to make inputs (inventory, land, air, entries) whose hard cases are
known, and the outputs a correct run should produce. ``config.SynthConfig`` says what to
make; ``generate.generate`` writes it.
"""
