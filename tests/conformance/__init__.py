"""The conformance suite run on the example exchange and on each plugin of this repository."""
