"""MXNet Gluon's own weights file, loaded the way a user's code loads it: ``net.load_parameters(path)``.

A ``.params`` file (``net.save_parameters``) names each parameter by its place in the network (attribute
path), so it must come from the same block class; Gluon refuses missing or extra names and wrong shapes.
The values are cast to the network's dtype (``cast_dtype=True``, as a float32 file loads into a float64
run). The framework is imported only inside the functions.
"""

EXTENSIONS = (".params",)
HOW = "net.load_parameters(path)"


def load(model, slots, path, dtype):
    model.load_parameters(str(path), cast_dtype=True, dtype_source="current")
    return model



def save(model, slots, path) -> None:
    model.save_parameters(str(path))
