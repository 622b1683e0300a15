"""The example third-party plugin of docs/plugins.md, kept as real files.

docs/plugins.md shows these files verbatim (a test compares them), the wheel test copies them
into a temporary folder and builds, installs and uninstalls them, and tests/conformance runs the
suite on the exchange they define. This ``__init__`` only makes the folder importable from the
repository's tests; it is not part of the plugin.
"""
