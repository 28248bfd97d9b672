"""Server-rendered pages for visitors."""
