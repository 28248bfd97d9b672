"""DatenHub Ruhr: one regional hub for tourism and city data in the Metropole Ruhr."""

__version__ = "0.1.0"
