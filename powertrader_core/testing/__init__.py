"""The conformance kit that every exchange plugin runs on itself (see docs/plugins.md)."""
