"""Shared fixtures: a real emulator on 127.0.0.1:0, fast retries, a CLI runner, audio files."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from testing.tones import tone_wav
from voicesync.api.client import VoiceAIClient
from voicesync.api.retry import RetryPolicy
from voicesync.api.settings import Connection
from voicesync.cli import run
from voicesync.emulator import Emulator, EmulatorConfig, Timing, account_of
from voicesync.emulator.wire import Response

TEST_KEY = "vk_test_0123456789abcdef"
FAST_TIMING = Timing(pending_s=0.05, processing_s=0.1)
FAST_RETRY = RetryPolicy(attempts=4, backoff_s=0.01, backoff_max_s=0.05, jitter_s=0.0)


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Emulators for a test; every answer they give is checked against the API's description
    (schemas/voiceai-openapi.yaml) when the test ends."""
    started: list[Emulator] = []
    answers = AnswerLog()

    def factory(config: EmulatorConfig | None = None, **kwargs: object) -> Emulator:
        if config is None:
            kwargs.setdefault("timing", FAST_TIMING)
            config = EmulatorConfig(**kwargs)  # type: ignore[arg-type]
        emulator = Emulator(config, observe=answers.record).start()
        started.append(emulator)
        return emulator

    yield factory
    for emulator in started:
        emulator.close()
    answers.check()


class AnswerLog:
    """The emulator's answers during one test, checked against the OpenAPI description."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str, Response]] = []
        self.lock = threading.Lock()

    def record(self, method: str, path: str, response: Response) -> None:
        with self.lock:
            self.answers.append((method, path, response))

    def check(self) -> None:
        from fidelity import conforms  # the suite's OpenAPI checker, loaded on first use

        wrong = [f"{m} {p} -> {r.status}: {why}" for m, p, r in self.answers
                 if (why := conforms(m, p, r)) is not None]  # fmt: skip
        assert wrong == [], "answers that do not conform to voiceai-openapi.yaml:\n" + "\n".join(
            wrong[:10]
        )


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator()


def client_for(emulator: Emulator, key: str = TEST_KEY, **kwargs: object) -> VoiceAIClient:
    return client_at(emulator.url, key, **kwargs)


def client_at(url: str, key: str = TEST_KEY, **kwargs: object) -> VoiceAIClient:
    """A client of ``url`` (an emulator, or a relay in front of one) with fast retries."""
    kwargs.setdefault("retry", FAST_RETRY)
    return VoiceAIClient(Connection(url, key), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def client(emulator: Emulator) -> Iterator[VoiceAIClient]:
    with client_for(emulator) as api:
        yield api


def live(emulator: Emulator, key: str = TEST_KEY) -> dict[str, str]:
    """remote name → voice_id of the live voices of the key's account."""
    owner = account_of(key)
    return {
        v.name or "": v.voice_id
        for v in emulator.store.all_voices()
        if v.owner == owner and v.deleted_at is None
    }


def writes(emulator: Emulator) -> list[tuple[str, str]]:
    """(method, path) of every request that could change the account."""
    return [
        (e["method"], e["path"])
        for e in emulator.requests()
        if e["method"] in ("POST", "PATCH", "DELETE")
    ]


# The tests' name for the shared tone writer.
tone_wav_bytes = tone_wav


@pytest.fixture
def wav_file(tmp_path: Path) -> Path:
    path = tmp_path / "sample.wav"
    path.write_bytes(tone_wav_bytes())
    return path


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run the real CLI entry point (its error boundary included) in-process."""
    for name in ("VOICEAI_API_KEY", "VOICE_AI_API_KEY", "VOICEAI_BASE_URL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)

    def invoke(
        *args: str, env: dict[str, str] | None = None, input: str | None = None
    ) -> CliResult:
        runner = CliRunner()
        with runner.isolation(input=input, env=env) as streams:
            code = run(list(args))
        return CliResult(code, streams[0].getvalue().decode(), streams[1].getvalue().decode())

    return invoke


class Catalog:
    """A voices.yaml in a temporary folder, with real WAV samples beside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / "voices.yaml"

    def sample(
        self, name: str, *, period: int = 20, seconds: float = 12.0, amplitude: int = 8000
    ) -> str:
        """Write a distinct tone (its period changes the content) and return its relative path."""
        target = self.root / "samples" / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(tone_wav_bytes(seconds, amplitude=amplitude, period=period))
        return f"samples/{name}"

    def speech(self, name: str, *, seconds: float | None = None) -> str:
        """Write real speech (the example narrator, cut to ``seconds``): a sample that passes
        every quality check when whole. Returns its relative path."""
        target = self.root / "samples" / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(speech_wav_bytes(seconds))
        return f"samples/{name}"

    def write(self, voices: list[dict[str, object]], **top: object) -> Path:
        import yaml

        document = {"version": 1, **top, "voices": voices}
        self.path.write_text(yaml.safe_dump(document, sort_keys=False))
        return self.path

    @property
    def state_path(self) -> Path:
        return self.root / "voices.lock.json"


NARRATOR = Path(__file__).resolve().parents[1] / "examples" / "samples" / "narrator.wav"


def speech_wav_bytes(seconds: float | None = None) -> bytes:
    """examples/samples/narrator.wav (espeak-ng, 16 kHz, 16.6 s), its first ``seconds``."""
    import io
    import wave

    with wave.open(str(NARRATOR), "rb") as source:
        params = source.getparams()
        frames = source.readframes(
            params.nframes if seconds is None else int(seconds * params.framerate)
        )
    out = io.BytesIO()
    with wave.open(out, "wb") as sink:
        sink.setparams(params)
        sink.writeframes(frames)
    return out.getvalue()


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return Catalog(tmp_path / "catalog")


def step_script(workflow: Path, job: str, name: str) -> str:
    """The shell a GitHub workflow's step runs, to run it in a test."""
    import yaml

    data = yaml.safe_load(workflow.read_text())
    [step] = [s for s in data["jobs"][job]["steps"] if s.get("name") == name]
    return str(step["run"])


def assert_valid_for(builtin_schema: str, path: Path) -> None:
    """check-jsonschema with one of its vendored schemas (GitHub workflows, actions), offline."""
    checker = shutil.which("check-jsonschema")
    assert checker, "check-jsonschema is a dev dependency"
    result = subprocess.run(
        [checker, "--builtin-schema", builtin_schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
