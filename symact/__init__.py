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

    A value is read exactly: an int, a float (``0.1`` is 1/10), a SymPy number, or a string holding a
    decimal, a fraction or a short expression in ``sqrt``, ``exp``, ``log``, ``pi`` and ``E``
    (``"0.1"``, ``"3/7"``, ``"sqrt(2)/2"``). Nonzero values must have a magnitude from 1e-3 to 1e3, the
    range over which every property sheet is tested.

    Raises `UnknownActivation` for an unknown name and `InvalidParameter` for a value
    outside a parameter's constraint or that range, or one that is not a number.
    """
    return Activation(lookup(name), params)
