"""dlcheck: is deep learning worth it for this data, or is a simpler model all you need?"""

__version__ = "0.1.0"

from dlcheck.assessment import Assessment, assess  # noqa: E402
from dlcheck.data.examples import EXAMPLES, load_example  # noqa: E402
from dlcheck.errors import DataError  # noqa: E402

__all__ = ["Assessment", "DataError", "EXAMPLES", "__version__", "assess", "load_example"]
