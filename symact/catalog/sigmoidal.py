"""Sigmoidal activations: bounded, S-shaped, increasing; smooth and piecewise-linear ("hard") forms."""

import sympy as sp

from symact.catalog._building import clip, logistic, positive, real
from symact.declaration import Equivalent as Eq
from symact.declaration import Reference, Scalar

sigmoid = Scalar(
    name="sigmoid",
    title="Sigmoid",
    family="sigmoidal",
    aliases=("logistic", "expit", "logistic_sigmoid"),
    formula=lambda x: logistic(x),
    summary="The logistic function, the classic squashing function of early neural networks.",
    references=(Reference("Learning representations by back-propagating errors",
                          "Rumelhart, Hinton, Williams", 1986,
                          "https://doi.org/10.1038/323533a0"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.sigmoid(x)"),
        Eq("keras3", "keras.activations.sigmoid(x)"),
        Eq("tf_keras2", "tf.keras.activations.sigmoid(x)"),
        Eq("jax", "jax.nn.sigmoid(x)"),
        Eq("mlx", "mlx.nn.sigmoid(x)"),
        Eq("onnx", "Sigmoid"),
    ),
)

tanh = Scalar(
    name="tanh",
    title="Hyperbolic tangent",
    family="sigmoidal",
    aliases=("hyperbolic_tangent",),
    formula=lambda x: sp.tanh(x),
    summary="The zero-centred sigmoid: tanh(x) = 2 sigmoid(2x) - 1.",
    references=(Reference("Efficient BackProp", "LeCun, Bottou, Orr, Müller", 1998,
                          "https://doi.org/10.1007/3-540-49430-8_2"),),
    equivalents=(
        Eq("pytorch", "torch.tanh(x)"),
        Eq("keras3", "keras.activations.tanh(x)"),
        Eq("tf_keras2", "tf.keras.activations.tanh(x)"),
        Eq("jax", "jax.numpy.tanh(x)"),
        Eq("mlx", "mlx.nn.tanh(x)"),
        Eq("onnx", "Tanh"),
    ),
)

arctan = Scalar(
    name="arctan",
    title="Arctangent",
    family="sigmoidal",
    aliases=("atan", "arc_tangent"),
    formula=lambda x: sp.atan(x),
    summary="The inverse tangent: a sigmoid with algebraic (1/x) tails instead of exponential ones.",
    equivalents=(Eq("pytorch", "torch.atan(x)"), Eq("jax", "jax.numpy.arctan(x)")),
)

softsign = Scalar(
    name="softsign",
    title="Softsign",
    family="sigmoidal",
    aliases=("soft_sign",),
    formula=lambda x: x / (1 + sp.Abs(x)),
    summary="x / (1 + |x|): a sigmoid with polynomial tails, so it saturates more slowly than tanh.",
    references=(Reference("Understanding the difficulty of training deep feedforward neural networks",
                          "Glorot, Bengio", 2010,
                          "https://proceedings.mlr.press/v9/glorot10a.html"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.softsign(x)"),
        Eq("keras3", "keras.activations.softsign(x)"),
        Eq("tf_keras2", "tf.keras.activations.softsign(x)"),
        Eq("jax", "jax.nn.soft_sign(x)"),
        Eq("mlx", "mlx.nn.softsign(x)"),
        Eq("onnx", "Softsign"),
    ),
)

isru = Scalar(
    name="isru",
    title="Inverse square root unit (ISRU)",
    family="sigmoidal",
    aliases=("inverse_square_root_unit",),
    parameters=(positive("a", 1, "controls the saturation level, which is 1/sqrt(a)"),),
    formula=lambda x, a: x / sp.sqrt(1 + a * x**2),
    summary="x / sqrt(1 + a x^2): a cheap sigmoid bounded by 1/sqrt(a).",
    references=(Reference("Improving Deep Learning by Inverse Square Root Linear Units (ISRLUs)",
                          "Carlile, Delamarter, Kinney, Marti, Whitney", 2017,
                          "https://arxiv.org/abs/1710.09967"),),
)

hard_sigmoid = Scalar(
    name="hard_sigmoid",
    title="Hard sigmoid",
    family="sigmoidal",
    aliases=("hardsigmoid",),
    formula=lambda x: clip(x + 3, 0, 6) / 6,
    summary="relu6(x + 3) / 6, the piecewise-linear sigmoid of MobileNetV3 (slope 1/6).",
    references=(Reference("Searching for MobileNetV3", "Howard et al.", 2019,
                          "https://arxiv.org/abs/1905.02244"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.hardsigmoid(x)"),
        Eq("keras3", "keras.activations.hard_sigmoid(x)"),
        Eq("jax", "jax.nn.hard_sigmoid(x)"),
        Eq("mlx", "mlx.nn.hard_sigmoid(x)" ),
        Eq("tf_keras2", "tf.keras.activations.hard_sigmoid(x)",
           "different function: tf.keras 2 uses clip(0.2 x + 0.5, 0, 1), see hard_sigmoid_keras2"),
    ),
)

hard_sigmoid_keras2 = Scalar(
    name="hard_sigmoid_keras2",
    title="Hard sigmoid (tf.keras 2, ONNX)",
    family="sigmoidal",
    aliases=("hard_sigmoid_onnx",),
    formula=lambda x: clip(x / 5 + sp.Rational(1, 2), 0, 1),
    summary="clip(0.2 x + 0.5, 0, 1): the hard sigmoid of tf.keras 2 and ONNX's HardSigmoid defaults.",
    equivalents=(
        Eq("tf_keras2", "tf.keras.activations.hard_sigmoid(x)"),
        Eq("onnx", "HardSigmoid(alpha=0.2, beta=0.5)"),
        Eq("keras3", "keras.activations.hard_sigmoid(x)",
           "different function: Keras 3 uses relu6(x + 3) / 6, see hard_sigmoid"),
    ),
)

hard_logistic = Scalar(
    name="hard_logistic",
    title="Hard logistic",
    family="sigmoidal",
    aliases=("hard_sigmoid_taylor",),
    formula=lambda x: clip(x / 4 + sp.Rational(1, 2), 0, 1),
    summary="clip(0.25 x + 0.5, 0, 1): the first-order Taylor expansion of the sigmoid at 0, clipped.",
)

sparse_sigmoid = Scalar(
    name="sparse_sigmoid",
    title="Sparse sigmoid",
    family="sigmoidal",
    formula=lambda x: clip((x + 1) / 2, 0, 1),
    summary="clip((x + 1) / 2, 0, 1): the sigmoid that sparsemax gives in two dimensions.",
    references=(Reference("From Softmax to Sparsemax", "Martins, Astudillo", 2016,
                          "https://arxiv.org/abs/1602.02068"),),
    equivalents=(
        Eq("jax", "jax.nn.sparse_sigmoid(x)"),
        Eq("keras3", "keras.activations.sparse_sigmoid(x)"),
    ),
)

hard_tanh = Scalar(
    name="hard_tanh",
    title="Hard tanh",
    family="sigmoidal",
    aliases=("hardtanh",),
    parameters=(real("min_val", -1, "lower clip value"), real("max_val", 1, "upper clip value")),
    constraints=(lambda min_val, max_val: min_val < max_val,),
    constraint_text=("min_val < max_val",),
    formula=lambda x, min_val, max_val: clip(x, min_val, max_val),
    summary="clip(x, -1, 1): the identity clipped to [min_val, max_val].",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.hardtanh(x, min_val=-1.0, max_val=1.0)"),
        Eq("keras3", "keras.activations.hard_tanh(x)"),
        Eq("jax", "jax.nn.hard_tanh(x)"),
        Eq("mlx", "mlx.nn.hard_tanh(x, min_val=-1.0, max_val=1.0)"),
    ),
)
