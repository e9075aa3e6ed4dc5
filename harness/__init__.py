"""blockparity's shared machinery (see docs/extending.md, "How it is built").

NumPy's BLAS runs single-threaded here, in the coordinator and the workers alike: the float64 references'
matrix products are small, and on a machine whose cores are busy with four framework workers, BLAS
threads only contend (the LeNet references' directional checks took 4x longer with them). Set
OPENBLAS_NUM_THREADS yourself to override; it must happen before NumPy is first imported.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
