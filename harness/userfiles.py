"""The user's own files: canonical weights (``--params``) and inputs (``--inputs``), read and checked.

Read in the coordinator only (it runs in ``.venv``, which has torch and safetensors); the workers receive
the arrays in the run's ``.npz`` like drawn ones. Rules:

* Weights are canonical: PyTorch ``state_dict`` names and layouts, as ``.safetensors`` (the ecosystem's
  cross-framework format), ``.npz`` (read with ``allow_pickle=False``) or a PyTorch checkpoint read with
  ``torch.load(..., weights_only=True)`` (a ``{"state_dict": ...}`` wrapper is accepted).
* A file is never unpickled otherwise: a pickle (``.pkl``, or an ``.npz`` holding object arrays) is refused.
* Strict as ``load_state_dict``: every parameter and state buffer of the spec must be there (constants such
  as d2l's ``rand_weight`` are plain attributes, not in a ``state_dict``: optional), nothing else may be
  (PyTorch's ``num_batches_tracked`` counter is ignored), shapes must match; every problem is listed in one
  error. Values must be finite floating-point arrays.
* Inputs: an ``.npz`` whose names are the spec's inputs; each of the right shape and kind (a token id or
  length is an integer array); an input the file lacks keeps its seeded draw (``missing`` says which).

Every problem is a ``BadFile`` whose text is one line starting with the file's name.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

TORCH_EXTENSIONS = (".pt", ".pth", ".bin", ".ckpt")
PICKLE_EXTENSIONS = (".pkl", ".pickle")
WEIGHT_FORMATS = ".safetensors, .npz or a PyTorch checkpoint (" + ", ".join(TORCH_EXTENSIONS) + ")"
IGNORED = ("num_batches_tracked",)  # PyTorch BatchNorm's step counter: no framework computes with it


class BadFile(ValueError):
    """A user's file that cannot be used; the message is one line naming the file."""


def _fail(path, problem: str) -> BadFile:
    return BadFile(f"{path}: {problem}")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."


def read_arrays(path) -> dict:
    """{name: NumPy array} from a weights file of any accepted format, without unpickling anything."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise _fail(path, "does not exist" if not p.exists() else "is not a file")
    ext = p.suffix.lower()
    if ext in PICKLE_EXTENSIONS:
        raise _fail(path, "is a pickle, which can run code when read: refused, never unpickled. "
                          f"Expected {WEIGHT_FORMATS}")
    if ext == ".safetensors":
        return _read_safetensors(path)
    if ext == ".npz":
        return read_npz(path)
    if ext in TORCH_EXTENSIONS:
        return _read_torch(path)
    raise _fail(path, f"cannot read {ext or 'a file without extension'}. Expected {WEIGHT_FORMATS}")


def _read_safetensors(path) -> dict:
    from safetensors.numpy import load_file

    try:
        return dict(load_file(os.fspath(path)))
    except Exception as e:  # SafetensorError (truncated, bad header), or a dtype NumPy lacks (bfloat16)
        raise _fail(path, f"is not a readable .safetensors file ({_short(e)})") from None


def read_npz(path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as f:
            if not hasattr(f, "files"):  # np.load of a plain .npy gives an array
                raise _fail(path, "is a single .npy array, not an .npz archive of named arrays")
            return {k: f[k] for k in f.files}
    except BadFile:
        raise
    except ValueError as e:
        if "pickle" in str(e).lower():  # object arrays, or a pickle under an .npz name
            raise _fail(path, "holds pickled objects: refused, never unpickled. Expected plain numeric "
                              "arrays (np.savez of NumPy arrays)") from None
        raise _fail(path, f"is not a readable .npz archive ({_short(e)})") from None
    except Exception as e:  # BadZipFile, EOFError, OSError: truncated or not an archive
        raise _fail(path, f"is not a readable .npz archive ({type(e).__name__}: {_short(e)})") from None


def _read_torch(path) -> dict:
    import torch

    try:
        obj = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
    except Exception as e:  # UnpicklingError for anything but tensors and plain containers; truncated
        raise _fail(path, f"is not a PyTorch checkpoint that torch.load(weights_only=True) accepts "
                          f"({type(e).__name__}: {_short(e)})") from None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise _fail(path, f"holds a {type(obj).__name__}, not a state_dict (a dict of tensors, or "
                          "{'state_dict': ...})")
    out, bad = {}, []
    for k, v in obj.items():
        if not isinstance(v, torch.Tensor):
            bad.append(f"{k} ({type(v).__name__})")
            continue
        v = v.detach().cpu()
        out[k] = (v.float() if v.dtype == torch.bfloat16 else v).numpy()
    if bad:
        raise _fail(path, f"holds values that are not tensors: {', '.join(bad)}")
    return out


def _problems(found: dict, declared: dict, required, kind_ok, kind: str) -> list:
    missing = [k for k in required if k not in found]
    extra = [k for k in found if k not in declared and k.rsplit(".", 1)[-1] not in IGNORED]
    shapes = [f"{k} {tuple(found[k].shape)} (expected {tuple(declared[k].shape)})" for k in found
              if k in declared and tuple(found[k].shape) != tuple(declared[k].shape)]
    kinds = [f"{k} ({found[k].dtype})" for k in found if k in declared and not kind_ok(k, found[k])]
    out = []
    if missing:
        out.append(f"missing {', '.join(missing)}")
    if extra:
        out.append(f"unexpected {', '.join(extra)}")
    if shapes:
        out.append(f"wrong shape {', '.join(shapes)}")
    if kinds:
        out.append(f"not {kind} {', '.join(kinds)}")
    return out


def load_params(path, spec) -> dict:
    """The canonical weights in ``path`` for ``spec``: {name: float64 array} over its parameters, state
    buffers and the constants the file holds."""
    arrays = read_arrays(path)
    declared = {**spec.params, **spec.constants, **spec.state}
    problems = _problems(arrays, declared, [*spec.params, *spec.state], lambda k, a: a.dtype.kind == "f",
                         "floating-point")
    if problems:
        raise _fail(path, f"does not match {spec.name}'s state_dict: {'; '.join(problems)}")
    nonfinite = [k for k in declared if k in arrays and not np.all(np.isfinite(arrays[k]))]
    if nonfinite:
        raise _fail(path, f"holds NaN or infinite values in {', '.join(nonfinite)}")
    return {k: np.asarray(arrays[k], dtype=np.float64) for k in declared if k in arrays}


def load_inputs(path, spec) -> tuple[dict, list]:
    """(the inputs in ``path`` by name, the spec's inputs it lacks: those keep their seeded draw)."""
    p = pathlib.Path(path)
    if p.suffix.lower() != ".npz":
        raise _fail(path, f"cannot read {p.suffix or 'a file without extension'} as inputs. Expected an .npz "
                          f"of {', '.join(spec.inputs)}")
    if not p.is_file():
        raise _fail(path, "does not exist" if not p.exists() else "is not a file")
    arrays = read_npz(path)

    def kind_ok(k, a):
        return a.dtype.kind in ("iu" if not spec.inputs[k].differentiable else "f")

    problems = _problems(arrays, spec.inputs, [], kind_ok, "of the input's kind (float; integer for ids)")
    if problems:
        raise _fail(path, f"does not match {spec.name}'s inputs ({', '.join(spec.inputs)}): {'; '.join(problems)}")
    nonfinite = [k for k, a in arrays.items() if a.dtype.kind == "f" and not np.all(np.isfinite(a))]
    if nonfinite:
        raise _fail(path, f"holds NaN or infinite values in {', '.join(nonfinite)}")
    return {k: arrays[k] for k in spec.inputs if k in arrays}, [k for k in spec.inputs if k not in arrays]
