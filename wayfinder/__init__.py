"""Wayfinder: resource navigation for behavioral-health co-responder programs."""

__version__ = "0.1.0"
