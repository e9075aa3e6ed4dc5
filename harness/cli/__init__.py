"""The command line: ``python compare.py [SPEC ...] [options]`` and its subcommands (``list``, ``train``,
``traps``, ``show``, ``report``, ``bench``), one module each in this package; the options they share are
declared once in ``options``, the set-up and ending of a run once in ``session``.

Exit status: 0 when everything compared passes (or is a declared divergence or a documented gap) and
something was compared, 1 when anything fails or errors, nothing was compared or a ``--require``d backend
could not run, 2 for bad input (an unknown spec, backend or option, a value out of range, an output path
that cannot be written, a user's block folder that cannot be used: ``harness.userblocks``), with a
one-line message naming the valid choices or the file, before any worker starts;
128 + N when signal N interrupted the run (130 for Ctrl-C), after the rows that finished.
"""

from __future__ import annotations

import importlib
import sys

from harness.cli.commands import COMMANDS, commands_help

__all__ = ["COMMANDS", "commands_help", "main"]


def main(argv=None) -> int:
    from harness import report, userblocks
    from harness.cli.options import UsageError
    from harness.cli.session import SIGNALS, Interrupted, exit_status, out

    argv = list(sys.argv[1:] if argv is None else argv)
    report.ascii_fallback()
    SIGNALS.install()
    userblocks.normalise()
    try:
        if argv and argv[0] in COMMANDS:
            module = importlib.import_module(f"harness.cli.{COMMANDS[argv[0]][0]}")
            return module.main(argv[1:])
        return importlib.import_module("harness.cli.compare").main(argv)
    except UsageError as e:
        out(f"error: {e}", sys.stderr)
        return 2
    except userblocks.BlockError as e:  # BLOCKPARITY_BLOCKS names a folder that cannot be used
        out(f"error: {userblocks.ENV}: {e}", sys.stderr)
        return 2
    except Interrupted as e:
        out(f"interrupted by {e}", sys.stderr)
        return exit_status(e.signum)
    except BrokenPipeError:  # the reader went away (| head): nothing left to say
        return 1
    finally:
        SIGNALS.restore()
