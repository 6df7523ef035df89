"""The engine: derives an activation's property sheet from its declaration, with provenance."""

from __future__ import annotations

#: Part of every cache key: bump it whenever a derivation changes its output.
ENGINE_VERSION = "6"


def derive(activation):  # -> symact.engine.sheet.Sheet
    """The property sheet of ``activation`` (scalar or vector), derived from scratch.

    All mpmath arithmetic runs at the working precision for the whole derivation: a value converted at
    mpmath's default 15 digits anywhere would silently spoil a certified 30-digit result. SymPy's cache is
    emptied first: the steps' budgets count SymPy's calls, and what this process derived before would
    otherwise make some of them cheaper."""
    import mpmath
    from sympy.core.cache import clear_cache

    from symact.engine.quantity import DIGITS
    from symact.engine.sheet import Sheet

    clear_cache()
    with mpmath.workdps(DIGITS + 10):
        if activation.kind == "vector":
            from symact.engine.vector import derive_vector

            return Sheet(derive_vector(activation))
        from symact.engine.scalar import derive_scalar

        return Sheet(derive_scalar(activation))
