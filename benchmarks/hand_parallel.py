"""What a careful user writes by hand: list once, upload every sample in a thread pool at the
same parallelism (one kept-alive session per thread), then poll the new voices every 0.25 s
until each is AVAILABLE. benchmarks/run.py runs it in its own process, timed from exec to exit
as voicesync is, so both pay Python's start-up and the import of requests.

    python benchmarks/hand_parallel.py URL SAMPLES_DIR PARALLELISM
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

KEY = "vk_by_hand"


def main(url: str, folder: Path, parallelism: int) -> None:
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Bearer {KEY}"
        return local.session

    def clone(sample: Path) -> str:
        with sample.open("rb") as f:
            voice = (
                session()
                .post(
                    f"{url}/api/v1/tts/clone-voice",
                    files={"file": (sample.name, f, "audio/wav")},
                    data={"name": sample.stem, "voice_visibility": "PRIVATE"},
                    timeout=120,
                )
                .json()
            )
        return str(voice["voice_id"])

    def ready(voice_id: str) -> bool:
        status = session().get(f"{url}/api/v1/tts/voice/{voice_id}", timeout=60).json()
        return status["status"] in ("AVAILABLE", "FAILED")

    session().get(f"{url}/api/v1/tts/voices", timeout=60)  # the names taken: one list
    with ThreadPoolExecutor(parallelism) as pool:
        pending = list(pool.map(clone, sorted(folder.iterdir())))
        deadline = time.monotonic() + 600
        while pending and time.monotonic() < deadline:  # bounded
            done = list(pool.map(ready, pending))
            pending = [v for v, d in zip(pending, done, strict=True) if not d]
            if pending:
                time.sleep(0.25)
    if pending:
        sys.exit("voices still pending after 600 s")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
