"""The example plugin's own tests run in the wheel test's fresh environment, not here."""

collect_ignore = ["acme_plugin"]

from collections.abc import Iterator  # noqa: E402 - after the collection setting above

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _plugins_as_the_test_installs_them(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These tests install plugins of their own (an ``acme`` among them): the session's
    filter of third-party plugins (tests/conftest.py) does not apply to them."""
    monkeypatch.delenv("POWERTRADER_DISABLE_PLUGINS", raising=False)
    yield
