"""The exception hierarchy: importable from the package, messages name exchange and operation."""

from __future__ import annotations

import pickle

import powertrader_core as pt


def test_hierarchy() -> None:
    for cls in (
        pt.ExchangeConnectionError, pt.ExchangeAuthenticationError, pt.ExchangeRateLimitError,
        pt.ExchangeOrderError, pt.SymbolNotSupportedError, pt.RegionNotSupportedError,
        pt.NotSupportedError, pt.ConfigurationError, pt.PluginError,
    ):
        assert issubclass(cls, pt.ExchangeError)
    for cls in (pt.InsufficientFundsError, pt.InvalidOrderError, pt.OrderNotFoundError):
        assert issubclass(cls, pt.ExchangeOrderError)


def test_message_names_exchange_and_operation_and_survives_pickling() -> None:
    error = pt.ExchangeRateLimitError(
        "too many requests", exchange="kraken", operation="get_market_data", retry_after=2.5
    )
    assert str(error) == "kraken get_market_data: too many requests"
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, pt.ExchangeRateLimitError)
    assert copy.retry_after == 2.5 and copy.exchange == "kraken"
    assert str(copy) == str(error)
    assert pt.ExchangeConnectionError("x").retryable
    assert not pt.InvalidOrderError("x").retryable
