"""claimaudit: audit the quantitative health claims of article pages.

The pipeline is a chain of pure functions over small dataclasses and DataFrames:
ingest (files -> Article/Document) -> extract (claims) -> grade -> consistency -> store/report.
"""

__version__ = "0.1.0"
