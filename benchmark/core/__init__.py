"""Layer 1, core: errors, console, atomic writes, locks, the cache layout, --set values, retries, fault injection.

Imports nothing else of the project.
"""
