"""voicesync's top-level --help, as click renders it, kept here so that ``voicesync --help``
answers without importing click (half of a 100 ms start). Keyed by click's wrap width:
min(terminal columns, 100) - 2 (80 columns when not a terminal). Any other width goes to click.

Written by tests/test_architecture.py (UPDATE_HELP=1), which fails when this drifts from what
click renders.
"""

TOP_HELP: dict[int, str] = {
    78: """\
Usage: voicesync [OPTIONS] COMMAND [ARGS]...

  Manage voice.ai cloned voices as code: validate, plan and apply a
  voices.yaml catalog.

Options:
  --version      Show the version and exit.
  --debug        Show a traceback for unexpected errors.
  --no-color     Never colour output (NO_COLOR is honoured too).
  -q, --quiet    Print results only, no progress.
  -v, --verbose  Say more (repeatable).
  -h, --help     Show this message and exit.

Commands:
  apply       Clone, update, replace and delete until the account...
  completion  Print the shell completion script, e.g. eval "$(voicesync...
  destroy     Delete every voice the state file manages (for ephemeral...
  emulator    Run the built-in emulator of the voice.ai API as an HTTP...
  forget      Stop managing voice NAME (its remote name) without...
  import      Write voices made by hand into voices.yaml and the state...
  list        List the account's voices, marked managed, declared...
  outputs     Print declared name → voice_id of every managed voice, for...
  plan        Show what apply would change.
  preview     Write what a managed voice says, to hear it before it ships.
  show        Render a plan saved by plan --out, exactly as it was made.
  validate    Check voices.yaml (or each FILE given) and its samples.
""",
    98: """\
Usage: voicesync [OPTIONS] COMMAND [ARGS]...

  Manage voice.ai cloned voices as code: validate, plan and apply a voices.yaml catalog.

Options:
  --version      Show the version and exit.
  --debug        Show a traceback for unexpected errors.
  --no-color     Never colour output (NO_COLOR is honoured too).
  -q, --quiet    Print results only, no progress.
  -v, --verbose  Say more (repeatable).
  -h, --help     Show this message and exit.

Commands:
  apply       Clone, update, replace and delete until the account matches voices.yaml.
  completion  Print the shell completion script, e.g. eval "$(voicesync completion bash)".
  destroy     Delete every voice the state file manages (for ephemeral environments).
  emulator    Run the built-in emulator of the voice.ai API as an HTTP server.
  forget      Stop managing voice NAME (its remote name) without deleting it.
  import      Write voices made by hand into voices.yaml and the state file, to manage them.
  list        List the account's voices, marked managed, declared (unrecorded) or unmanaged.
  outputs     Print declared name → voice_id of every managed voice, for the apps that use them.
  plan        Show what apply would change.
  preview     Write what a managed voice says, to hear it before it ships.
  show        Render a plan saved by plan --out, exactly as it was made.
  validate    Check voices.yaml (or each FILE given) and its samples.
""",
}
