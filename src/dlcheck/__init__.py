"""dlcheck: is deep learning worth it for this data, or is a simpler model all you need?"""

__version__ = "0.1.0"

__all__ = ["Assessment", "DataError", "EXAMPLES", "__version__", "assess", "load_example"]

_LAZY = {"Assessment": "dlcheck.assessment", "assess": "dlcheck.assessment",
         "EXAMPLES": "dlcheck.data.examples", "load_example": "dlcheck.data.examples",
         "DataError": "dlcheck.errors"}


def __getattr__(name: str):
    # Imported on first use: `import dlcheck.<module>` (the console script, the workers'
    # fork server) stays light until it needs pandas, torch and the rest.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dlcheck' has no attribute {name!r}")
