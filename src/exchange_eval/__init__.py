"""exchange-eval: evaluation workbench for cross-country peer-learning exchanges."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("exchange-eval")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
