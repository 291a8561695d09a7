"""dlcheck: is deep learning worth it for this data, or is a simpler model all you need?"""

from dlcheck._lazy import lazy_getattr

__version__ = "0.1.0"

__all__ = ["Assessment", "DataError", "EXAMPLES", "__version__", "assess", "load_example"]

__getattr__ = lazy_getattr(__name__, globals(), {
    "Assessment": "dlcheck.assessment", "assess": "dlcheck.pipeline",
    "EXAMPLES": "dlcheck.data.examples", "load_example": "dlcheck.data.examples",
    "DataError": "dlcheck.errors"})
