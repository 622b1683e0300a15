"""Tests of :mod:`powertrader_core.kit`: the mechanisms every plugin shares."""
