import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("NEQLAB_TEST", "1")
