"""linklab: a Neo4j sandbox for link-analysis training.

The library is layered as the product is: generate (pure, no database) -> load -> exercise
catalogue -> grade -> report. The CLI in `linklab.cli` is a thin shell over these modules. Which module
may import which: docs/contributing.md ("How the code is layered"), checked by tests/test_layers.py.
"""

__version__ = "0.1.0"
