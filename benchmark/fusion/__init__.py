"""Layer 7, fusion: everything about fusing systems (settings and presets, methods, Qdrant-side and
client-side execution, the part-run cache, dev tuning, how a fused result is recorded), and the entry
point that runs any system, single or fused.
"""
