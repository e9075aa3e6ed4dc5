import jax
from flax import nnx
class MLP(nnx.Module):
    def __init__(self, rngs):
        self.hidden, self.out = nnx.Linear(20, 256, rngs=rngs), nnx.Linear(256, 10, rngs=rngs)
    def __call__(self, x):
        return self.out(nnx.relu(self.hidden(x)))
net = MLP(nnx.Rngs(0))
x = jax.random.uniform(jax.random.PRNGKey(0), (2, 20))
gp, gx = nnx.grad(lambda m, x: m(x).sum(), argnums=(0, 1))(net, x)
assert gx.shape == (2, 20) and gp['hidden']['kernel'].shape == (20, 256)
