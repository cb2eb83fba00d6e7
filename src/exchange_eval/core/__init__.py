"""Foundation used by every stage: errors, paths, configuration, canonical tables,
atomic writes, output safety, text folding, fingerprints and the processed-data store.

Nothing here imports from another stage of the package."""
