"""Incident prediction: a streaming anomaly detector and the `predict_incidents` engine."""
