"""govpilot: a self-hosted AI platform for Hong Kong public-service teams."""

__version__ = "0.1.0"
