"""Configuration shared by every layer: the settings object and the answerer's tuning."""
