"""Reusable exchange simulators on 127.0.0.1 (aiohttp) for tests and benchmarks."""
