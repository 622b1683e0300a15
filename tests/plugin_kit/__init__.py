"""Tests of the plugin author's kit: the conformance suite, the guide, the pip-install path."""
