"""ingest pipeline."""
