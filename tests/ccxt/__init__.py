"""Tests of the ccxt plugin (powertrader_ccxt)."""
