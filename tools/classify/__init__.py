"""Job classification (`classify_job`) with a data-driven taxonomy."""
