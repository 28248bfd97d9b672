"""The import pipeline: from raw input to merged, enriched hub entities."""

from datenhub.pipeline.importer import ImportResult, rebuild, retire_hub, run_import, validate_stream

__all__ = ["ImportResult", "rebuild", "retire_hub", "run_import", "validate_stream"]
