"""communique: a streaming monitor for new and changed official statements."""

__version__ = "0.1.0"
