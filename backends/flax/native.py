"""Flax's own weights file, loaded the way a user's code loads it: a variable tree.

``.msgpack``: ``flax.serialization.msgpack_restore(open(path, "rb").read())`` (what ``to_bytes`` of the
variables, or of their ``params``, wrote); ``.safetensors``: one array per ``/``-joined path
(``params/hidden/kernel``), unflattened with ``flax.traverse_util.unflatten_dict(sep="/")``. A tree
without the collection level (``{"hidden": {"kernel": ...}}``) is the ``params`` collection. It must hold
exactly the model's variables, with their shapes: every difference is named. The framework is imported
only inside the functions.
"""

EXTENSIONS = (".msgpack", ".safetensors")
HOW = "flax.serialization.msgpack_restore(bytes) (or a .safetensors of '/'-joined paths)"


def load(built, slots, path, dtype):
    import jax.numpy as jnp
    import numpy as np
    from flax import serialization, traverse_util

    if str(path).lower().endswith(".safetensors"):
        from safetensors.numpy import load_file

        tree = traverse_util.unflatten_dict(dict(load_file(str(path))), sep="/")
    else:
        with open(path, "rb") as f:
            tree = serialization.msgpack_restore(f.read())
    if not set(tree) <= set(built.variables):
        tree = {"params": tree}
    want = traverse_util.flatten_dict(built.variables, sep="/")
    got = traverse_util.flatten_dict(tree, sep="/")
    problems = [f"missing {', '.join(k for k in want if k not in got)}" if set(want) - set(got) else "",
                f"unexpected {', '.join(k for k in got if k not in want)}" if set(got) - set(want) else "",
                ", ".join(f"{k} has shape {np.shape(got[k])}, the model {np.shape(want[k])}" for k in want
                          if k in got and np.shape(got[k]) != np.shape(want[k]))]
    problems = [p for p in problems if p]
    if problems:
        raise ValueError("the variable tree does not match the model's: " + "; ".join(problems))
    built.variables = traverse_util.unflatten_dict({k: jnp.asarray(np.asarray(v), dtype) for k, v in got.items()},
                                                   sep="/")
    return built



def save(built, slots, path) -> None:
    import numpy as np
    from flax import serialization, traverse_util

    if str(path).lower().endswith(".safetensors"):
        from safetensors.numpy import save_file

        flat = traverse_util.flatten_dict(built.variables, sep="/")
        save_file({k: np.ascontiguousarray(np.asarray(v)) for k, v in flat.items()}, str(path))
    else:
        with open(path, "wb") as f:
            f.write(serialization.msgpack_serialize(jax_free(built.variables)))


def jax_free(tree):
    """The variable tree as nested dicts of NumPy arrays (what msgpack_serialize writes)."""
    import numpy as np

    return {k: jax_free(v) if hasattr(v, "items") else np.asarray(v) for k, v in tree.items()}
