"""processed → HTML: translated, locale-formatted, escaped fragments and figures for the
report notebooks. Computation lives in `analysis`; this layer only shows results."""
