"""The gateway adapter: the only code that talks to models."""
