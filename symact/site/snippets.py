"""Code snippets for an activation's page: symact's NumPy function, and the PyTorch and JAX spelling
(the framework's own function where one is declared, else the formula printed by SymPy)."""

from __future__ import annotations

from typing import Any

import sympy as sp


def numpy_snippet(act: Any) -> str:
    call = _call(act)
    if act.kind == "vector":
        return (
            "import numpy as np\nimport symact\n\n"
            f"f = {call}.numpy()\n"
            "xs = np.array([[1.0, 2.0, 3.0, 4.0]])\n"
            "f(xs)  # along the last axis\n"
        )
    return (
        "import numpy as np\nimport symact\n\n"
        f"act = {call}\n"
        "f, df = act.numpy(), act.numpy(1)  # f and f'\n"
        "xs = np.linspace(-5, 5, 11)\n"
        "f(xs), df(xs)\n"
    )


def framework_snippet(act: Any, framework: str) -> str:
    """The framework's own call when the declaration lists one, else the formula in its module."""
    module = {"pytorch": "import torch\n\nx = torch.linspace(-5, 5, 11)\n",
              "jax": "import jax\nimport jax.numpy as jnp\n\nx = jnp.linspace(-5, 5, 11)\n"}[framework]
    for eq in act.decl.equivalents:
        if eq.framework == framework:
            note = f"  # {eq.note}" if eq.note else ""
            return f"{module}y = {eq.call}{note}\n"
    if act.kind == "vector":
        return f"{module}# no built-in function; see the NumPy tab\n"
    printed = _printed(act.expr, framework)
    if printed is None:
        return f"{module}# no built-in function, and the formula has no direct spelling here\n"
    return f"{module}# no built-in function: the formula\ny = {printed}\n"


def _call(act: Any) -> str:
    if act.is_default or not act.params:
        return f'symact.get("{act.name}")'
    args = ", ".join(f"{k}={v}" for k, v in act.params.items())
    return f'symact.get("{act.name}", {args})'


def _printed(expr: sp.Expr, framework: str) -> str | None:
    # Floats, not exact constants: torch.sqrt(2) does not accept a Python int.
    numeric = sp.N(expr, 17)
    try:
        if framework == "pytorch":
            return _TorchPrinter().doprint(numeric)
        from sympy.printing.numpy import SciPyPrinter

        text = SciPyPrinter().doprint(numeric)
        return text.replace("scipy.special.", "jax.scipy.special.").replace("numpy.", "jnp.")
    except Exception:  # noqa: BLE001 - a printer that cannot spell a function: no snippet
        return None


def _torch_printer_base():
    from sympy.printing.pytorch import TorchPrinter

    return TorchPrinter


class _TorchPrinter(_torch_printer_base()):  # type: ignore[misc]
    """torch.max/min take tensors, not numbers: write max and min with torch.clamp."""

    def _minmax(self, expr: sp.Expr, bound: str) -> str:
        numbers = [a for a in expr.args if a.is_number]
        others = [a for a in expr.args if not a.is_number]
        inner = self._print(others[0]) if len(others) == 1 else None
        if inner is None or len(numbers) != 1:
            raise NotImplementedError("general max/min")
        return f"torch.clamp({inner}, {bound}={self._print(sp.Float(numbers[0]))})"

    def _print_Max(self, expr: sp.Expr) -> str:
        return self._minmax(expr, "min")

    def _print_Min(self, expr: sp.Expr) -> str:
        return self._minmax(expr, "max")
