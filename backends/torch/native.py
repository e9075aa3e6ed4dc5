"""PyTorch's own weights file, loaded the way a user's code loads it: ``model.load_state_dict(sd)``.

``sd`` comes from ``torch.load(path, weights_only=True)`` (a ``{"state_dict": ...}`` wrapper accepted) or,
for a ``.safetensors`` file, ``safetensors.torch.load_file(path)``. ``load_state_dict`` is strict, so a
file with missing, unexpected or mis-shaped names is refused with PyTorch's own message. The framework is
imported only inside the functions: the coordinator reads ``EXTENSIONS`` and ``HOW`` without it.
"""

EXTENSIONS = (".pt", ".pth", ".bin", ".ckpt", ".safetensors")
HOW = "model.load_state_dict(torch.load(path, weights_only=True))"


def load(model, slots, path, dtype):
    import torch

    if str(path).lower().endswith(".safetensors"):
        from safetensors.torch import load_file

        sd = load_file(str(path))
    else:
        sd = torch.load(str(path), map_location="cpu", weights_only=True)
        if isinstance(sd, dict) and isinstance(sd.get("state_dict"), dict):
            sd = sd["state_dict"]
    model.load_state_dict(sd, strict=True)
    return model



def save(model, slots, path) -> None:
    import torch

    if str(path).lower().endswith(".safetensors"):
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    else:
        torch.save(model.state_dict(), str(path))
