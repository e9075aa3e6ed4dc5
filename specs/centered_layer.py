"""d2l §6.5: ``CenteredLayer``, a custom layer without parameters: X - X.mean().

The mean is over every element (not per row), as in all four versions of the book.
"""

from harness.spec import Input, Spec
from specs._ops import no_tap


def centered_layer(x, p, c, tap=no_tap):
    return x - x.mean()


SPEC = Spec(
    name="centered_layer",
    title="CenteredLayer: X - X.mean(), a layer with no parameters",
    section="6.5 Custom Layers",
    model="CenteredLayer",
    inputs={"x": Input((4, 8))},
    reference=centered_layer,
)
