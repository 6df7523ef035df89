"""symact: neural-network activation functions as exact mathematics.

Each activation is declared once in SymPy; its properties (limits, ranges, smoothness, symmetry, Lipschitz
constant, Gaussian moments, ...) are derived by the engine, and its NumPy functions are generated from it.

>>> import symact
>>> symact.get("sigmoid").properties.to_dict()["range"]["upper"]["exact"]
'1'
"""

from __future__ import annotations

from typing import Any

from symact.activation import Activation
from symact.declaration import InvalidParameter, UnknownActivation, x
from symact.registry import lookup, names

__all__ = ["Activation", "InvalidParameter", "UnknownActivation", "get", "names", "x", "__version__"]
__version__ = "0.1.0"


def get(name: str, **params: Any) -> Activation:
    """The activation called ``name`` (or an alias), at the given parameter values.

    Raises `UnknownActivation` for an unknown name and `InvalidParameter` for a value
    outside a parameter's constraint.
    """
    return Activation(lookup(name), params)
