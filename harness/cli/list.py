"""``python compare.py list``: the blocks and their variants."""

from __future__ import annotations

import backends
import specs
from harness.cli.options import Parser
from harness.cli.session import out


def main(argv) -> int:
    Parser(prog="compare.py list", description="List the blocks and their variants.").parse_args(argv)
    all_specs = specs.all_specs()
    width = max(len(n) for n in specs.known_names()) + 4
    section = max(len(s) for spec in all_specs for s in (spec.section, "variant of " + spec.name)) + 2
    lines = []
    for spec in all_specs:
        lines.append(f"{spec.name:<{width}}{spec.section:<{section}}{spec.title}")
        for v in spec.variants:
            lines.append(f"  {v.name:<{width - 2}}{'variant of ' + spec.name:<{section}}{v.why.split('. ')[0]}.")
    lines.append(f"\n{len(all_specs)} blocks, {sum(len(s.variants) for s in all_specs)} variants; "
                 f"backends: {', '.join(backends.names())}")
    out("\n".join(lines))
    return 0
