"""d2l §6.2: tied parameters, a shared layer used twice."""

from flax import nnx


def SharedNet(*, rngs: nnx.Rngs):
    # one object in two places: NNX's graph shares it
    shared = nnx.Linear(8, 8, rngs=rngs)
    return nnx.Sequential(nnx.Linear(4, 8, rngs=rngs), nnx.relu,
                          shared, nnx.relu, shared, nnx.relu,
                          nnx.Linear(8, 1, rngs=rngs))


# the trap: two layers (the adapter loads them equal)
def TwoCopiesNet(*, rngs: nnx.Rngs):
    return nnx.Sequential(nnx.Linear(4, 8, rngs=rngs), nnx.relu,
                          nnx.Linear(8, 8, rngs=rngs), nnx.relu,
                          nnx.Linear(8, 8, rngs=rngs), nnx.relu,
                          nnx.Linear(8, 1, rngs=rngs))
