"""Shrinkage functions: push small inputs to (or towards) zero, as in sparse coding."""

import sympy as sp

from symact.catalog._building import nonnegative
from symact.declaration import Equivalent as Eq
from symact.declaration import Scalar

tanhshrink = Scalar(
    name="tanhshrink",
    title="Tanhshrink",
    family="shrinkage",
    aliases=("tanh_shrink",),
    formula=lambda x: x - sp.tanh(x),
    summary="x - tanh(x): flat (cubic) near 0, slope 1 far away.",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.tanhshrink(x)"),
        Eq("keras3", "keras.activations.tanh_shrink(x)"),
    ),
)

softshrink = Scalar(
    name="softshrink",
    title="Softshrink",
    family="shrinkage",
    aliases=("soft_shrink", "soft_thresholding"),
    parameters=(nonnegative("lambd", sp.Rational(1, 2), "half-width of the dead zone"),),
    formula=lambda x, lambd: sp.Piecewise((x - lambd, x > lambd), (x + lambd, x < -lambd), (0, True)),
    summary="Soft thresholding: x - lambda sign(x) outside [-lambda, lambda], 0 inside.",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.softshrink(x, lambd=0.5)"),
        Eq("keras3", "keras.activations.soft_shrink(x, threshold=0.5)"),
        Eq("mlx", "mlx.nn.softshrink(x, lambd=0.5)"),
        Eq("onnx", "Shrink(lambd=0.5, bias=0.5)"),
    ),
)

hardshrink = Scalar(
    name="hardshrink",
    title="Hardshrink",
    family="shrinkage",
    aliases=("hard_shrink", "hard_thresholding"),
    parameters=(nonnegative("lambd", sp.Rational(1, 2), "half-width of the dead zone"),),
    formula=lambda x, lambd: sp.Piecewise((x, x > lambd), (x, x < -lambd), (0, True)),
    summary="Hard thresholding: x outside [-lambda, lambda], 0 inside (discontinuous).",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.hardshrink(x, lambd=0.5)"),
        Eq("keras3", "keras.activations.hard_shrink(x, threshold=0.5)"),
        Eq("mlx", "mlx.nn.hard_shrink(x, lambd=0.5)"),
        Eq("onnx", "Shrink(lambd=0.5)"),
    ),
)
