"""Exponential linear units: identity for x > 0, a saturating exponential (or ISRU) for x < 0."""

import sympy as sp

from symact.catalog._building import nonnegative, positive
from symact.declaration import Equivalent as Eq
from symact.declaration import Parameter, Reference, Scalar

_ELU_PAPER = Reference("Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
                       "Clevert, Unterthiner, Hochreiter", 2016, "https://arxiv.org/abs/1511.07289")

elu = Scalar(
    name="elu",
    title="ELU",
    family="exponential",
    aliases=("exponential_linear_unit",),
    parameters=(nonnegative("alpha", 1, "the negative saturation value is -alpha"),),
    formula=lambda x, alpha: sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True)),
    summary="x for x > 0, alpha (e^x - 1) otherwise: smooth negative saturation at -alpha.",
    references=(_ELU_PAPER,),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.elu(x, alpha=1.0)"),
        Eq("keras3", "keras.activations.elu(x, alpha=1.0)"),
        Eq("tf_keras2", "tf.keras.activations.elu(x, alpha=1.0)"),
        Eq("jax", "jax.nn.elu(x, alpha=1.0)"),
        Eq("mlx", "mlx.nn.elu(x, alpha=1.0)"),
        Eq("onnx", "Elu(alpha=1.0)"),
    ),
)

celu = Scalar(
    name="celu",
    title="CELU",
    family="exponential",
    aliases=("continuously_differentiable_elu",),
    parameters=(positive("alpha", 1),),
    formula=lambda x, alpha: sp.Piecewise((x, x > 0), (alpha * (sp.exp(x / alpha) - 1), True)),
    summary="ELU rescaled so that it is C^1 for every alpha: alpha (e^(x/alpha) - 1) for x <= 0.",
    references=(Reference("Continuously Differentiable Exponential Linear Units", "Barron", 2017,
                          "https://arxiv.org/abs/1704.07483"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.celu(x, alpha=1.0)"),
        Eq("keras3", "keras.activations.celu(x, alpha=1.0)"),
        Eq("jax", "jax.nn.celu(x, alpha=1.0)"),
        Eq("mlx", "mlx.nn.celu(x, alpha=1.0)"),
        Eq("onnx", "Celu(alpha=1.0)"),
    ),
)

# The fixed point of Klambauer et al. (zero mean, unit variance under N(0, 1) inputs), in closed form;
# its decimal expansion is the published 1.6732632423543772848... and 1.0507009873554804934...
_E = sp.E
_C1 = sp.erfc(1 / sp.sqrt(2))
_SELU_ALPHA = -sp.sqrt(2 / sp.pi) / (_C1 * sp.sqrt(_E) - 1)
_SELU_SCALE = (1 - sp.sqrt(_E) * _C1) * sp.sqrt(2 * sp.pi) / sp.sqrt(
    2 * sp.erfc(sp.sqrt(2)) * _E**2 + sp.pi * _C1**2 * _E - 2 * (2 + sp.pi) * _C1 * sp.sqrt(_E)
    + sp.pi + 2
)

selu = Scalar(
    name="selu",
    title="SELU",
    family="exponential",
    aliases=("scaled_elu", "scaled_exponential_linear_unit"),
    parameters=(
        Parameter("alpha", _SELU_ALPHA, sp.Interval(0, sp.oo), "published alpha, exact"),
        Parameter("scale", _SELU_SCALE, sp.Interval.open(0, sp.oo), "published lambda, exact"),
    ),
    formula=lambda x, alpha, scale: scale * sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True)),
    summary="lambda * ELU_alpha with the self-normalising constants, given here in exact closed form.",
    references=(Reference("Self-Normalizing Neural Networks",
                          "Klambauer, Unterthiner, Mayr, Hochreiter", 2017,
                          "https://arxiv.org/abs/1706.02515"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.selu(x)"),
        Eq("keras3", "keras.activations.selu(x)"),
        Eq("tf_keras2", "tf.keras.activations.selu(x)"),
        Eq("jax", "jax.nn.selu(x)"),
        Eq("mlx", "mlx.nn.selu(x)"),
        Eq("onnx", "Selu"),
    ),
)

isrlu = Scalar(
    name="isrlu",
    title="ISRLU",
    family="exponential",
    aliases=("inverse_square_root_linear_unit",),
    parameters=(positive("a", 1, "negative saturation at -1/sqrt(a)"),),
    formula=lambda x, a: sp.Piecewise((x, x >= 0), (x / sp.sqrt(1 + a * x**2), True)),
    summary="x for x >= 0, x / sqrt(1 + a x^2) otherwise: an ELU-like unit without exponentials.",
    references=(Reference("Improving Deep Learning by Inverse Square Root Linear Units (ISRLUs)",
                          "Carlile, Delamarter, Kinney, Marti, Whitney", 2017,
                          "https://arxiv.org/abs/1710.09967"),),
)
