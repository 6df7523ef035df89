"""Smooth rectifiers: smooth functions close to max(x, 0), and the log-sigmoid, a negated softplus."""

import sympy as sp

from symact.catalog._building import nonnegative, positive
from symact.declaration import Equivalent as Eq
from symact.declaration import Reference, Scalar

softplus = Scalar(
    name="softplus",
    title="Softplus",
    family="smooth_rectifier",
    aliases=("smooth_relu",),
    parameters=(positive("beta", 1, "sharpness; softplus tends to ReLU as beta grows"),),
    formula=lambda x, beta: sp.log(1 + sp.exp(beta * x)) / beta,
    summary="log(1 + e^(beta x)) / beta: the smooth ReLU whose derivative is the sigmoid.",
    references=(Reference("Incorporating Second-Order Functional Knowledge for Better Option Pricing",
                          "Dugas, Bengio, Bélisle, Nadeau, Garcia", 2001,
                          "https://papers.nips.cc/paper/1920"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.softplus(x, beta=1.0, threshold=20.0)",
           "returns x itself for beta x > 20"),
        Eq("keras3", "keras.activations.softplus(x)"),
        Eq("tf_keras2", "tf.keras.activations.softplus(x)"),
        Eq("jax", "jax.nn.softplus(x)"),
        Eq("mlx", "mlx.nn.softplus(x)"),
        Eq("onnx", "Softplus"),
    ),
)

squareplus = Scalar(
    name="squareplus",
    title="Squareplus",
    family="smooth_rectifier",
    parameters=(nonnegative("b", 4, "curvature near 0; b = 0 gives ReLU"),),
    formula=lambda x, b: (x + sp.sqrt(x**2 + b)) / 2,
    summary="(x + sqrt(x^2 + b)) / 2: an algebraic softplus with no exponentials.",
    references=(Reference("Squareplus: A Softplus-Like Algebraic Rectifier", "Barron", 2021,
                          "https://arxiv.org/abs/2112.11687"),),
    equivalents=(
        Eq("jax", "jax.nn.squareplus(x, b=4)"),
        Eq("keras3", "keras.activations.squareplus(x, b=4)"),
    ),
)

sparse_plus = Scalar(
    name="sparse_plus",
    title="Sparse plus",
    family="smooth_rectifier",
    aliases=("sparseplus",),
    formula=lambda x: sp.Piecewise((0, x <= -1), ((x + 1) ** 2 / 4, x < 1), (x, True)),
    summary="0 for x <= -1, (x + 1)^2 / 4 on (-1, 1), x for x >= 1: a C^1 softplus with exact zeros.",
    references=(Reference("Sparse continuous distributions and Fenchel-Young losses",
                          "Blondel, Martins, Niculae", 2022, "https://arxiv.org/abs/1901.02324"),),
    equivalents=(
        Eq("jax", "jax.nn.sparse_plus(x)"),
        Eq("keras3", "keras.activations.sparse_plus(x)"),
    ),
)

log_sigmoid = Scalar(
    name="log_sigmoid",
    title="Log-sigmoid",
    family="smooth_rectifier",
    aliases=("logsigmoid",),
    formula=lambda x: -sp.log(1 + sp.exp(-x)),
    summary="log(sigmoid(x)) = -softplus(-x): the log-likelihood term of logistic regression.",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.logsigmoid(x)"),
        Eq("keras3", "keras.activations.log_sigmoid(x)"),
        Eq("jax", "jax.nn.log_sigmoid(x)"),
        Eq("mlx", "mlx.nn.log_sigmoid(x)"),
    ),
)
