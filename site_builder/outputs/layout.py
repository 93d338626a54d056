"""Paths of the published site that both the program writing them and the one checking them name.

Kept here, in a module that imports nothing, so that ``verify`` (which must not load the outputs' libraries) and the
outputs share one spelling: the build starts validating the data package the moment this file is written.
"""

DATA_DESCRIPTOR = "data/datapackage.json"
"""The data package's descriptor (``outputs/datapackage.py`` writes it; ``audit/verify.py`` validates it)."""
