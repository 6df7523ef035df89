"""Self-gated activations x * gate(x): Swish/SiLU, GELU and its approximations, Mish, and relatives."""

import sympy as sp

from symact.catalog._building import clip, logistic, positive, real
from symact.declaration import Equivalent as Eq
from symact.declaration import Reference, Scalar

_GELU_PAPER = Reference("Gaussian Error Linear Units (GELUs)", "Hendrycks, Gimpel", 2016,
                        "https://arxiv.org/abs/1606.08415")
_SWISH_PAPER = Reference("Searching for Activation Functions", "Ramachandran, Zoph, Le", 2017,
                         "https://arxiv.org/abs/1710.05941")

swish = Scalar(
    name="swish",
    title="Swish",
    family="self_gated",
    parameters=(positive("beta", 1, "gate sharpness; beta = 1 is SiLU"),),
    formula=lambda x, beta: x * logistic(beta * x),
    summary="x sigmoid(beta x): a self-gated unit between x/2 (beta -> 0) and ReLU (beta -> inf).",
    references=(_SWISH_PAPER,),
    equivalents=(
        Eq("keras3", "keras.activations.swish(x)", "beta fixed at 1"),
        Eq("jax", "jax.nn.swish(x)", "beta fixed at 1"),
    ),
)

silu = Scalar(
    name="silu",
    title="SiLU",
    family="self_gated",
    aliases=("sigmoid_linear_unit", "swish1"),
    formula=lambda x: x * logistic(x),
    summary="x sigmoid(x): Swish with beta = 1. Its minimum is -W(1/e) at x = -1 - W(1/e).",
    references=(Reference("Sigmoid-Weighted Linear Units for Neural Network Function Approximation "
                          "in Reinforcement Learning", "Elfwing, Uchibe, Doya", 2017,
                          "https://arxiv.org/abs/1702.03118"), _GELU_PAPER),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.silu(x)"),
        Eq("keras3", "keras.activations.silu(x)"),
        Eq("tf_keras2", "tf.keras.activations.swish(x)"),
        Eq("jax", "jax.nn.silu(x)"),
        Eq("mlx", "mlx.nn.silu(x)"),
    ),
)

hard_swish = Scalar(
    name="hard_swish",
    title="Hard swish",
    family="self_gated",
    aliases=("hardswish", "hard_silu"),
    formula=lambda x: x * clip(x + 3, 0, 6) / 6,
    summary="x relu6(x + 3) / 6: the piecewise-quadratic swish of MobileNetV3.",
    references=(Reference("Searching for MobileNetV3", "Howard et al.", 2019,
                          "https://arxiv.org/abs/1905.02244"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.hardswish(x)"),
        Eq("keras3", "keras.activations.hard_silu(x)"),
        Eq("jax", "jax.nn.hard_swish(x)"),
        Eq("mlx", "mlx.nn.hardswish(x)"),
    ),
)

gelu = Scalar(
    name="gelu",
    title="GELU",
    family="self_gated",
    aliases=("gaussian_error_linear_unit",),
    parameters=(real("mu", 0, "mean of the gating Gaussian"),
                positive("sigma", 1, "standard deviation of the gating Gaussian")),
    formula=lambda x, mu, sigma: x * (1 + sp.erf((x - mu) / (sigma * sp.sqrt(2)))) / 2,
    summary="x P(X <= x) with X ~ N(mu, sigma^2); at mu = 0, sigma = 1, x Phi(x), the exact GELU.",
    references=(_GELU_PAPER,),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.gelu(x, approximate='none')"),
        Eq("keras3", "keras.activations.gelu(x, approximate=False)"),
        Eq("tf_keras2", "tf.keras.activations.gelu(x, approximate=False)"),
        Eq("jax", "jax.nn.gelu(x, approximate=False)",
           "jax.nn.gelu defaults to approximate=True, the tanh form (gelu_tanh)"),
        Eq("mlx", "mlx.nn.gelu(x)"),
        Eq("onnx", "Gelu(approximate='none')"),
    ),
)

gelu_tanh = Scalar(
    name="gelu_tanh",
    title="GELU (tanh approximation)",
    family="self_gated",
    aliases=("gelu_new", "gelu_approx", "gelu_pytorch_tanh"),
    formula=lambda x: x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + sp.Rational(44715, 10**6) * x**3))),
    summary="x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): the classic fast approximation of GELU.",
    references=(_GELU_PAPER,),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.gelu(x, approximate='tanh')"),
        Eq("keras3", "keras.activations.gelu(x, approximate=True)"),
        Eq("jax", "jax.nn.gelu(x)", "the default, approximate=True"),
        Eq("mlx", "mlx.nn.gelu_approx(x)",
           "MLX's gelu_approx is its own approximation, not exactly this one"),
        Eq("onnx", "Gelu(approximate='tanh')"),
    ),
)

gelu_sigmoid = Scalar(
    name="gelu_sigmoid",
    title="GELU (sigmoid approximation)",
    family="self_gated",
    aliases=("quick_gelu", "gelu_fast"),
    formula=lambda x: x * logistic(sp.Rational(1702, 1000) * x),
    summary="x sigmoid(1.702 x): the cheapest GELU approximation (Swish with beta = 1.702).",
    references=(_GELU_PAPER,),
    equivalents=(Eq("mlx", "mlx.nn.gelu_fast_approx(x)"),),
)

mish = Scalar(
    name="mish",
    title="Mish",
    family="self_gated",
    formula=lambda x: x * sp.tanh(sp.log(1 + sp.exp(x))),
    summary="x tanh(softplus(x)): a smooth, non-monotonic self-gated unit.",
    references=(Reference("Mish: A Self Regularized Non-Monotonic Activation Function", "Misra", 2019,
                          "https://arxiv.org/abs/1908.08681"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.mish(x)"),
        Eq("keras3", "keras.activations.mish(x)"),
        Eq("tf_keras2", "tf.keras.activations.mish(x)"),
        Eq("jax", "jax.nn.mish(x)"),
        Eq("mlx", "mlx.nn.mish(x)"),
        Eq("onnx", "Mish"),
    ),
)

lisht = Scalar(
    name="lisht",
    title="LiSHT",
    family="self_gated",
    aliases=("linearly_scaled_hyperbolic_tangent",),
    formula=lambda x: x * sp.tanh(x),
    summary="x tanh(x): even, non-negative, unbounded on both sides.",
    references=(Reference("LiSHT: Non-Parametric Linearly Scaled Hyperbolic Tangent Activation Function "
                          "for Neural Networks", "Roy, Manna, Dubey, Chaudhuri", 2019,
                          "https://arxiv.org/abs/1901.05894"),),
)

elish = Scalar(
    name="elish",
    title="ELiSH",
    family="self_gated",
    aliases=("exponential_linear_squashing",),
    formula=lambda x: sp.Piecewise((x * logistic(x), x >= 0), ((sp.exp(x) - 1) * logistic(x), True)),
    summary="x sigmoid(x) for x >= 0, (e^x - 1) sigmoid(x) for x < 0. Its minimum is 2 sqrt(2) - 3.",
    references=(Reference("The Quest for the Golden Activation Function", "Basirat, Roth", 2018,
                          "https://arxiv.org/abs/1808.00783"),),
)

snake = Scalar(
    name="snake",
    title="Snake",
    family="self_gated",
    parameters=(positive("a", 1, "frequency"),),
    formula=lambda x, a: x + sp.sin(a * x) ** 2 / a,
    summary="x + sin^2(a x) / a: a monotone activation with a periodic inductive bias.",
    references=(Reference("Neural Networks Fail to Learn Periodic Functions and How to Fix It",
                          "Liu Ziyin, Hartwig, Ueda", 2020, "https://arxiv.org/abs/2006.08195"),),
)
