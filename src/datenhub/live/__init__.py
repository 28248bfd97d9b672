"""Live occupancy (Auslastung): sensors, readings, ingest (HTTP, MQTT, NGSI-LD, CSV replay), status, forecast."""
