"""What every command's --help ends with: an example and its exit codes."""

from __future__ import annotations

_ERROR = "1 error (bad input, API failure, refused)"
_STOP = "130 Ctrl-C, 143 SIGTERM (calls in flight finished and recorded)"

EXAMPLES: dict[str, tuple[str, str]] = {
    "apply": (
        "voicesync apply voices.yaml --yes    |    voicesync apply --plan plan.json",
        f"0 done, {_ERROR} or a voice FAILED, {_STOP}",
    ),
    "completion": ('eval "$(voicesync completion bash)"', "0 printed"),
    "destroy": (
        "voicesync destroy voices.yaml --env pr-42 --yes",
        f"0 done, {_ERROR} or a delete failed, {_STOP}",
    ),
    "emulator": (
        "voicesync emulator --port 8765 --list-shape paged --page-size 10",
        "0 stopped, 1 bad options",
    ),
    "forget": ("voicesync forget voices.yaml Narrator", f"0 forgotten, {_ERROR}"),
    "import": (
        "voicesync import voices.yaml --all --sample-dir recordings/",
        f"0 imported (or nothing to import), {_ERROR}",
    ),
    "list": ("voicesync list voices.yaml --format json", f"0 listed, {_ERROR}"),
    "outputs": (
        'voicesync outputs voices.yaml --format env >> "$GITHUB_ENV"',
        f"0 printed, {_ERROR}",
    ),
    "plan": (
        "voicesync plan voices.yaml --out plan.json --detailed-exitcode",
        f"0 no changes (or any plan without --detailed-exitcode), 2 changes, {_ERROR}",
    ),
    "preview": (
        "voicesync preview voices.yaml Narrator --format wav -o previews/narrator.wav",
        f"0 written, {_ERROR} (a voice that cannot speak included)",
    ),
    "review": (
        "voicesync review voices.yaml --plan plan.json --out review/",
        f"0 written, {_ERROR}",
    ),
    "show": ("voicesync show plan.json --format markdown", f"0 shown, {_ERROR}"),
    "validate": (
        "voicesync validate voices.yaml prod.yaml --strict",
        "0 valid (warnings allowed, unless --strict), 1 invalid",
    ),
}


def epilog(command: str) -> str:
    example, codes = EXAMPLES[command]
    # \b keeps click from rewrapping the example line.
    return f"\b\nExample:\n  {example}\n\nExit codes: {codes}."
