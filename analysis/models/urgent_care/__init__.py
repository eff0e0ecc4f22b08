"""models.urgent_care layer."""
