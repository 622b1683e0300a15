"""The cassettes: current with their builder, documented, and free of keys and signatures."""

from __future__ import annotations

from tests.cassette_support import TEST_SECRETS
from tests.robinhood import build_cassettes


def test_cassettes_are_current_with_their_builder() -> None:
    for name, interactions in build_cassettes.cassettes().items():
        path = build_cassettes.DIRECTORY / name
        assert path.read_text() == build_cassettes.render(interactions), (
            f"{name} differs: run .venv/bin/python -m tests.robinhood.build_cassettes"
        )


def test_every_cassette_is_documented() -> None:
    readme = (build_cassettes.DIRECTORY / "README.md").read_text()
    for path in build_cassettes.DIRECTORY.glob("*.yaml"):
        assert path.name in readme, path.name


def test_no_auth_header_or_test_key_in_any_cassette() -> None:
    for path in build_cassettes.DIRECTORY.glob("*.yaml"):
        text = path.read_text().lower()
        for header in ("x-api-key", "x-signature", "x-timestamp"):
            assert header not in text, (path.name, header)
        assert TEST_SECRETS["api_key"].lower() not in text
