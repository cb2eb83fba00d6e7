"""Configuration shipped with the package: scales, codebook sources, dimensions, settings,
missing-value codes, theme keywords and translations. Data files, not code."""
