"""The spec registry: every module in this folder (except ``_*.py``) defines ``SPEC`` or ``SPECS``.

Dropping a file in registers its blocks; each name appears once. Variant names (``Variant.name``) are
addressable like spec names and resolve to their spec. A user's block folders (``--blocks DIR``, the
environment's ``BLOCKPARITY_BLOCKS``; ``harness.userblocks``) add their blocks after ours, in their order;
a name that clashes with any other block is a ``BlockError`` naming the file.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from harness import userblocks
from harness.spec import Spec, Variant

_REGISTRY: dict[str, Spec] | None = None
_LOADED_FOR: str | None = None  # the BLOCKPARITY_BLOCKS the registry was loaded with


def _load() -> dict[str, Spec]:
    global _REGISTRY, _LOADED_FOR
    wanted = os.environ.get(userblocks.ENV, "")
    if _REGISTRY is None or _LOADED_FOR != wanted:
        found: dict[str, Spec] = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{__name__}.{info.name}")
            specs = getattr(mod, "SPECS", None) or [getattr(mod, "SPEC", None)]
            if specs == [None]:
                raise ValueError(f"specs/{info.name}.py defines neither SPEC nor SPECS")
            for spec in specs:
                spec = _with_origin(spec, info.name, mod.__doc__ or "")
                for name in (spec.name, *(v.name for v in spec.variants)):
                    if name in found or any(v.name == name for s in found.values() for v in s.variants):
                        raise ValueError(f"block name {name!r} is defined twice (second time in specs/{info.name}.py)")
                found[spec.name] = spec
        # Book order: by d2l section, then by file, then as defined.
        order = sorted(found.values(), key=lambda s: (_section_key(s.section), s.module))
        for folder in userblocks.folders():  # after ours, in the user's order
            for spec in userblocks.load(folder):
                for name in (spec.name, *(v.name for v in spec.variants)):
                    if name in found or any(v.name == name for s in found.values() for v in s.variants):
                        owner = found.get(name) or next(s for s in found.values()
                                                        if any(v.name == name for v in s.variants))
                        where = f"in {owner.origin}" if owner.origin else "a built-in block"
                        raise userblocks.BlockError(
                            f"{folder / 'specs' / (spec.module + '.py')}: block name {name!r} is already taken "
                            f"({where}: {owner.name}). Expected a name no other block has")
                found[spec.name] = spec
                order.append(spec)
        _REGISTRY, _LOADED_FOR = {s.name: s for s in order}, wanted
    return _REGISTRY


def _section_key(section: str) -> tuple:
    number = section.split()[0] if section else ""
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


def _with_origin(spec: Spec, module: str, doc: str) -> Spec:
    import dataclasses

    return dataclasses.replace(spec, module=spec.module or module, doc=spec.doc or doc.strip())


def names() -> list[str]:
    """Spec names in registry order (the default set of a run; variants are not included)."""
    return list(_load())


def all_specs() -> list[Spec]:
    return list(_load().values())


def resolve(name: str) -> tuple[Spec, Variant | None]:
    """The spec (and variant, if ``name`` is one) called ``name``; KeyError if there is none."""
    reg = _load()
    if name in reg:
        return reg[name], None
    for spec in reg.values():
        variant = spec.variant(name)
        if variant:
            return spec, variant
    raise KeyError(name)


def known_names() -> list[str]:
    return [n for s in _load().values() for n in (s.name, *(v.name for v in s.variants))]
