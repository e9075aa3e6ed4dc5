import os
os.environ.setdefault('KERAS_BACKEND', 'jax')
import jax, keras
net = keras.Sequential([keras.Input((20,)), keras.layers.Dense(256, activation='relu'), keras.layers.Dense(10)])
x = jax.random.uniform(jax.random.PRNGKey(0), (2, 20))
f = lambda tv, x: net.stateless_call(tv, [], x)[0].sum()
gp, gx = jax.grad(f, argnums=(0, 1))([v.value for v in net.trainable_variables], x)
assert gx.shape == (2, 20) and gp[0].shape == (20, 256)
