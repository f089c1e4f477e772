"""Implicit dependency discovery in an infrastructure graph (`extract_dependencies`)."""
