"""The subcommands: name -> (module in ``harness.cli``, usage and one line of help)."""

COMMANDS = {
    "list": ("list", "the blocks and their variants"),
    "show": ("show", "SPEC  the four realisations side by side, with the parameter mapping"),
    "report": ("report", "--html PATH  the same as a self-contained page (--md PATH for Markdown)"),
    "traps": ("traps", "the catalogue of porting traps, each caught and localised"),
    "init": ("init", "default initialisers measured; declared initialisers checked (d2l §6.3)"),
    "train": ("train", "N steps of each framework's own optimizer, checked step by step"),
    "bench": ("bench", "time the whole run against its workers (see README)"),
    "merge": ("merge", "DIR...  one report from the --dump folders of runs made apart (CI jobs)"),
}


def commands_help() -> str:
    rows = []
    for name, (_, text) in COMMANDS.items():
        usage, _, what = text.rpartition("  ")
        rows.append(f"  {(name + ' ' + usage).strip():<21} {what}")
    return "commands:\n" + "\n".join(rows) + "\nEach command has its own --help."
