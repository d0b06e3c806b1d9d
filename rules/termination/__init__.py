"""AGL5xx: loops and teams whose completion is left to the model."""
