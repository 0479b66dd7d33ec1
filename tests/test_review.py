"""The review page as a reviewer meets it, in a real browser (Debian's chromium, driven by
Playwright): it loads with no console error and no request beyond its own folder, every player
reaches its metadata with the sample's duration, and each changed voice has a card with a
waveform and its measures."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import TEST_KEY, CliResult, speech_wav_bytes
from voicesync.emulator import Emulator

Cli = Callable[..., CliResult]
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "review-screenshots"  # kept as a CI artifact (build/ is ignored by git)
HOSTILE = "<img src=x onerror=alert(1)> Hostile"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "chromium is installed by .ci/run (Debian package chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def write(path: Path, voices: list[dict[str, object]]) -> None:
    doc = {"version": 1, "defaults": {"visibility": "PRIVATE"}, "voices": voices}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def speech_catalog(root: Path, *names: str) -> Path:
    """A folder holding voices.yaml with ``names``, all cloned from one speech sample."""
    (root / "samples").mkdir(parents=True)
    (root / "samples" / "n.wav").write_bytes(speech_wav_bytes())
    write(root / "voices.yaml", [{"name": n, "sample": "samples/n.wav"} for n in names])
    return root


@pytest.fixture
def reviewed(cli: Cli, tmp_path: Path, emulator: Emulator) -> tuple[Path, Path]:
    """A catalog in git, applied on main; on a branch, one voice's sample changed (replace),
    one made public (update) and a voice with a hostile name added (clone). Its review page,
    with the previous sample from main and previews."""
    repo = tmp_path / "repo"
    (repo / "samples").mkdir(parents=True)
    for name in ("narrator.wav", "announcer.mp3", "storyteller.ogg"):
        shutil.copy(ROOT / "examples" / "samples" / name, repo / "samples" / name)
    catalog = repo / "voices.yaml"
    voices: list[dict[str, object]] = [
        {"name": "Narrator", "sample": "samples/narrator.wav"},
        {"name": "Announcer", "sample": "samples/announcer.mp3"},
        {"name": "Storyteller", "sample": "samples/storyteller.ogg"},
    ]
    write(catalog, voices)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.invalid", "add", ".")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-qm", "v1")
    environ = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    assert cli("apply", str(catalog), "--yes", env=environ).code == 0
    git(repo, "checkout", "-qb", "change")
    (repo / "samples" / "narrator-short.wav").write_bytes(speech_wav_bytes(12))
    (repo / "samples" / "hostile.wav").write_bytes(speech_wav_bytes(15))
    voices[0]["sample"] = "samples/narrator-short.wav"
    voices[2]["visibility"] = "PUBLIC"
    voices.append({"name": HOSTILE, "sample": "samples/hostile.wav"})
    write(catalog, voices)
    out = tmp_path / "review"
    emulator.clear_requests()
    done = cli(
        "review", str(catalog), "--replace", "Narrator", "--out", str(out),
        "--base", "main", "--previews", env=environ,
    )  # fmt: skip
    assert done.code == 0, done.output
    assert "3 changed of 4 voices" in done.stdout
    writes = [e["operation"] for e in emulator.requests() if e["method"] != "GET"]
    assert writes == ["speech"]  # one preview (the updated voice); the review changes nothing
    return out, repo


def test_the_review_page_opens_offline_plays_every_sample_and_shows_each_change(
    browser: Any, reviewed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import miniaudio

    out, repo = reviewed
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((out / "index.html").as_uri())
    durations = page.evaluate(
        """() => Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(r => {
             const done = () => r([a.getAttribute('src'), a.duration]);
             if (a.readyState >= 1) return done();
             a.addEventListener('loadedmetadata', done);
             a.addEventListener('error', () => r([a.getAttribute('src'), 'error']));
             setTimeout(() => r([a.getAttribute('src'), 'timeout']), 10000);
           })))"""
    )
    assert console == [] and dialogs == []  # the hostile name is text, not markup
    assert all(u.startswith(out.as_uri()) for u in requests), requests  # nothing else loaded
    # Narrator, Storyteller, the hostile one, Narrator's previous sample, a preview (the
    # unchanged Announcer has a short card: --all gives it a player too).
    assert len(durations) == 5
    for src, seconds in durations:
        expected = miniaudio.get_file_info(str(out / src)).duration
        assert isinstance(seconds, int | float) and abs(seconds - expected) < 0.1, (src, seconds)

    cards = page.locator("section.card")
    assert cards.count() == 4
    for name, action in (
        ("Narrator", "replace"), ("Storyteller", "update"), (HOSTILE, "clone"),
    ):  # fmt: skip
        card = cards.filter(has_text=name)
        assert card.locator(".action").inner_text() == action
        assert card.locator("svg.wave path").count() == 1
        assert card.locator(".measures li").count() >= 5  # speech, clipping, level, noise, ...
    narrator = cards.filter(has_text="Narrator")
    assert narrator.locator("figcaption").all_inner_texts() == ["Sample", "Previous sample (main)"]
    assert "--all" in cards.filter(has_text="Announcer").inner_text()
    previous = narrator.locator("audio").nth(1).get_attribute("src")
    assert (out / previous).read_bytes() == (ROOT / "examples/samples/narrator.wav").read_bytes()
    assert cards.filter(has_text=HOSTILE).locator("img").count() == 0

    page.keyboard.press("Tab")  # keyboard first: the skip link, then the plan
    assert page.evaluate("document.activeElement.textContent") == "Skip to the plan"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "review-laptop.png"
    page.screenshot(path=str(shot), full_page=True)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto((out / "index.html").as_uri())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    phone.screenshot(path=str(SHOTS / "review-phone.png"), full_page=True)
    with capsys.disabled():
        print(f"\nreview page screenshots: {shot} and {SHOTS / 'review-phone.png'}")
    del repo


def test_a_saved_plan_is_reviewed_without_listing_the_account(
    cli: Cli, tmp_path: Path, emulator: Emulator
) -> None:
    repo = speech_catalog(tmp_path / "cat", "Narrator")
    environ = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    plan = tmp_path / "plan.json"
    assert cli("plan", str(repo / "voices.yaml"), "--out", str(plan), env=environ).code == 0
    emulator.clear_requests()
    done = cli(
        "review", str(repo / "voices.yaml"), "--plan", str(plan), "--out", str(tmp_path / "r"),
        env={},  # a saved plan needs no key: the recipe's review step has none
    )  # fmt: skip
    assert done.code == 0, done.output
    assert emulator.requests() == []
    html = (tmp_path / "r" / "index.html").read_text()
    assert "Plan: 1 to clone." in html and "plan fingerprint" in html.lower()


def test_the_recipe_builds_the_review_page_of_the_plan_it_comments(
    tmp_path: Path, emulator: Emulator
) -> None:
    from tests.test_gitops import workflow_step

    runner = speech_catalog(tmp_path / "runner", "Narrator")
    environ = {
        "CATALOG": "voices.yaml",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "VOICEAI_BASE_URL": emulator.url,
        "VOICEAI_API_KEY": TEST_KEY,
        "NO_COLOR": "1",
    }
    for step in ("Plan", "Review page (hear and see each change)"):
        done = subprocess.run(
            ["bash", "-c", workflow_step("plan", step)], cwd=runner, capture_output=True,
            text=True, check=False, timeout=120, env=__import__("os").environ | environ,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    page = (runner / "review" / "index.html").read_text()
    assert "Narrator" in page and "audio/" in page


def test_a_hostile_out_folder_base_or_plan_is_refused_before_anything_is_written(
    cli: Cli, tmp_path: Path, emulator: Emulator
) -> None:
    repo = speech_catalog(tmp_path / "cat", "A B", "A-B")
    environ = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    plan = tmp_path / "plan.json"
    assert cli("plan", str(repo / "voices.yaml"), "--out", str(plan), env=environ).code == 0

    def review(*args: str) -> CliResult:
        return cli("review", str(repo / "voices.yaml"), "--plan", str(plan), *args, env={})

    planted = tmp_path / "planted"  # a pull request committed review/evil.html
    planted.mkdir()
    (planted / "evil.html").write_text("<script>steal()</script>")
    refused = review("--out", str(planted))
    assert refused.code == 1 and "holds what a review does not write (evil.html)" in refused.stderr
    assert not (planted / "index.html").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    through = review("--out", str(tmp_path / "link" / "review"))
    assert through.code == 1 and "symbolic link" in through.stderr
    assert list(elsewhere.iterdir()) == []
    option = review("--out", str(tmp_path / "r1"), "--base", "--output=/tmp/x")
    assert option.code == 1 and "is not a git revision" in option.stderr
    other = review("--out", str(tmp_path / "r2"), "--env", "staging")
    assert other.code == 1, other.output

    done = review("--out", str(tmp_path / "ok"))
    assert done.code == 0, done.output
    html = (tmp_path / "ok" / "index.html").read_text()
    ids = re.findall(r'<section[^>]* id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 2  # "A B" and "A-B" each their own card
    again = review("--out", str(tmp_path / "ok"))  # a previous review's folder is reused
    assert again.code == 0, again.output
