"""processed → HTML: translated, locale-formatted, escaped fragments and figures for the
report notebooks. Computation lives in `analysis`; this layer only shows results.

`context.ReportContext` carries one report's language, its data folder's configuration
(`labels.Labels` names the configured codes) and its running count of withheld rows;
`html` builds the pieces, `sentences` words the numbers, `plots` draws, `i18n` and `fmt`
translate and format; `round_report`, `synthesis_report` and `feedback_review` hold the
sections of each report, `blocks` what they share.
"""
