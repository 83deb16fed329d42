"""linkflow: audit how authority flows through a website."""

__version__ = "0.1.0"
