"""Name pools per script and naming tradition, each name with its real spellings.

Reach for :func:`exitmatch.synth.names.pools.build_pools` to get, per locale, the tables of
surnames and given names with the passport (ICAO 9303) spelling and the other spellings a
case file may carry. Transliteration engines are wrapped one per module.
"""
