"""Other classic activations: identity, step, bumps, periodic and smooth-convex functions."""

import sympy as sp

from symact.declaration import Equivalent as Eq
from symact.declaration import Reference, Scalar

identity = Scalar(
    name="identity",
    title="Identity",
    family="classic",
    aliases=("linear",),
    formula=lambda x: x,
    summary="f(x) = x: no activation at all, the baseline every other entry is compared to.",
    equivalents=(
        Eq("pytorch", "torch.nn.Identity()"),
        Eq("keras3", "keras.activations.linear(x)"),
        Eq("tf_keras2", "tf.keras.activations.linear(x)"),
        Eq("jax", "jax.nn.identity(x)"),
        Eq("onnx", "Identity"),
    ),
)

binary_step = Scalar(
    name="binary_step",
    title="Binary step",
    family="classic",
    aliases=("heaviside", "step", "unit_step"),
    formula=lambda x: sp.Piecewise((1, x >= 0), (0, True)),
    summary="1 for x >= 0, else 0: the perceptron's threshold unit; its derivative is 0 almost everywhere.",
    references=(Reference("The perceptron: a probabilistic model for information storage and "
                          "organization in the brain", "Rosenblatt", 1958,
                          "https://doi.org/10.1037/h0042519"),),
    equivalents=(Eq("mlx", "mlx.nn.step(x)"), Eq("pytorch", "torch.heaviside(x, torch.tensor(1.0))")),
)

bent_identity = Scalar(
    name="bent_identity",
    title="Bent identity",
    family="classic",
    formula=lambda x: (sp.sqrt(x**2 + 1) - 1) / 2 + x,
    summary="(sqrt(x^2 + 1) - 1) / 2 + x: a smooth, convex, unbounded bend of the identity.",
)

gaussian = Scalar(
    name="gaussian",
    title="Gaussian",
    family="classic",
    aliases=("gaussian_bump", "rbf"),
    formula=lambda x: sp.exp(-(x**2)),
    summary="exp(-x^2): the radial basis bump, even and bounded.",
)

sinusoid = Scalar(
    name="sinusoid",
    title="Sinusoid",
    family="classic",
    aliases=("sin", "sine"),
    formula=lambda x: sp.sin(x),
    summary="sin(x): the periodic activation of SIREN-style networks.",
    references=(Reference("Implicit Neural Representations with Periodic Activation Functions",
                          "Sitzmann et al.", 2020, "https://arxiv.org/abs/2006.09661"),),
    equivalents=(Eq("pytorch", "torch.sin(x)"), Eq("jax", "jax.numpy.sin(x)")),
)

sinc = Scalar(
    name="sinc",
    title="Sinc",
    family="classic",
    aliases=("cardinal_sine",),
    formula=lambda x: sp.sinc(x),
    summary="sin(x) / x, with the value 1 at 0 (the unnormalised sinc).",
    equivalents=(
        Eq("pytorch", "torch.sinc(x / torch.pi)", "torch.sinc is the normalised sin(pi x)/(pi x)"),
        Eq("jax", "jax.numpy.sinc(x / jax.numpy.pi)", "jnp.sinc is the normalised sinc"),
    ),
)

exponential = Scalar(
    name="exponential",
    title="Exponential",
    family="classic",
    aliases=("exp",),
    formula=lambda x: sp.exp(x),
    summary="e^x: positive, convex, its own derivative.",
    equivalents=(
        Eq("keras3", "keras.activations.exponential(x)"),
        Eq("tf_keras2", "tf.keras.activations.exponential(x)"),
        Eq("pytorch", "torch.exp(x)"),
    ),
)

logcosh = Scalar(
    name="logcosh",
    title="Log-cosh",
    family="classic",
    aliases=("log_cosh",),
    formula=lambda x: sp.log(sp.cosh(x)),
    summary="log(cosh(x)): even and convex, quadratic near 0 and |x| - log 2 far away.",
)
