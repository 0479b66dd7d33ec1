"""Test tooling for tests/ and benchmarks/: tone samples, raw servers, the soak. Not shipped."""
