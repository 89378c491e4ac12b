"""shopbench: an honest benchmark harness for e-commerce product search."""

__version__ = "0.1.0"
