"""pufa's knowledge layer: law texts, curated entries and the matching engine.

Pure Python with no web framework: everything here can be loaded and tested alone.
"""
