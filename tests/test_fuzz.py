"""schemathesis fuzzes the emulator from schemas/voiceai-openapi.yaml: no 500, every answer
conforms (status codes, content types, bodies). A bounded number of examples per operation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator.readers import read_from_filename
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import FAST_TIMING, TEST_KEY
from tests.fidelity import SPEC
from voicesync.emulator import Dialect, Emulator, EmulatorConfig

document, _ = read_from_filename(str(SPEC))
schema = schemathesis.openapi.from_dict(dict(document))


@pytest.fixture(scope="module", params=["first-party", "third-party"])
def fuzzed(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    dialect = Dialect() if request.param == "first-party" else Dialect.third_party()
    dialect = replace(dialect, accept_put=True)  # the description holds the n8n node's PUT too
    config = EmulatorConfig(timing=FAST_TIMING, dialect=dialect, catalog_voices=2, api_key=TEST_KEY)
    with Emulator(config) as emu:  # one valid key, as the real service has
        yield emu


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_emulator_answers_every_generated_request_as_described(
    case: schemathesis.Case, fuzzed: Emulator
) -> None:
    case.call_and_validate(
        base_url=fuzzed.url,
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        # A request the description allows may still be refused for what no schema can say:
        # a sample that is not audio, a voice id that does not exist.
        excluded_checks=[positive_data_acceptance],
    )
