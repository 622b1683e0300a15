"""What an error means is on its class (issue 13): retryable, final for an order, counted
against health, fatal; every class lives in errors.py and in the tree its docstring draws."""

from __future__ import annotations

import pickle

import pytest

from powertrader_core import errors
from powertrader_core.errors import ExchangeError

#: class -> (retryable, final_for_order, counts_against_health, fatal), as errors.py draws it.
MEANING = {
    "ExchangeError": (False, False, True, False),
    "ExchangeConnectionError": (True, False, True, False),
    "ExchangeAuthenticationError": (False, True, True, False),
    "ExchangeRateLimitError": (True, True, True, False),
    "ExchangeOrderError": (False, True, False, False),
    "InsufficientFundsError": (False, True, False, False),
    "InvalidOrderError": (False, True, False, False),
    "JournalConflict": (False, True, False, False),
    "OrderNotFoundError": (False, True, False, False),
    "SymbolNotSupportedError": (False, True, False, False),
    "RegionNotSupportedError": (False, True, False, True),
    "NotSupportedError": (False, True, False, False),
    "ConfigurationError": (False, True, True, True),
    "JournalError": (False, False, True, False),
    "PluginError": (False, False, True, False),
}


def test_every_error_class_is_in_errors_py_and_its_drawing() -> None:
    assert set(errors.__all__) == set(MEANING)
    tree = errors.__doc__ or ""
    for name in errors.__all__:
        assert f" {name} " in tree, name


@pytest.mark.parametrize("name", sorted(MEANING))
def test_meaning_on_the_class(name: str) -> None:
    cls = getattr(errors, name)
    assert issubclass(cls, ExchangeError)
    error = cls("x")
    meaning = (error.retryable, error.final_for_order, error.counts_against_health, error.fatal)
    assert meaning == MEANING[name]


def test_journal_conflict_is_one_type_for_a_client_id_in_use() -> None:
    conflict = errors.JournalConflict("in use", {"row": 1}, exchange="kraken")
    assert isinstance(conflict, errors.InvalidOrderError)
    assert isinstance(conflict, errors.JournalError)
    again = pickle.loads(pickle.dumps(conflict))
    assert (again.entry, again.exchange, again.message) == ({"row": 1}, "kraken", "in use")
