"""The ReLU family: piecewise-linear rectifiers and their leaky, clipped and thresholded variants."""

import sympy as sp

from symact.catalog._building import clip, real, relu
from symact.declaration import Equivalent as Eq
from symact.declaration import Reference, Scalar

_NAIR_HINTON = Reference("Rectified Linear Units Improve Restricted Boltzmann Machines",
                         "Nair, Hinton", 2010, "https://icml.cc/Conferences/2010/papers/432.pdf")

relu_unit = Scalar(
    name="relu",
    title="ReLU",
    family="relu",
    aliases=("rectified_linear_unit", "rectifier"),
    formula=lambda x: relu(x),
    summary="max(x, 0): the rectified linear unit.",
    references=(_NAIR_HINTON,),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.relu(x)"),
        Eq("keras3", "keras.activations.relu(x)"),
        Eq("tf_keras2", "tf.keras.activations.relu(x)"),
        Eq("jax", "jax.nn.relu(x)"),
        Eq("mlx", "mlx.nn.relu(x)"),
        Eq("onnx", "Relu"),
    ),
)

relu6 = Scalar(
    name="relu6",
    title="ReLU6",
    family="relu",
    formula=lambda x: clip(x, 0, 6),
    summary="min(max(x, 0), 6): ReLU capped at 6, for low-precision arithmetic.",
    references=(Reference("Convolutional Deep Belief Networks on CIFAR-10", "Krizhevsky", 2010,
                          "https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.relu6(x)"),
        Eq("keras3", "keras.activations.relu6(x)"),
        Eq("jax", "jax.nn.relu6(x)"),
        Eq("mlx", "mlx.nn.relu6(x)"),
    ),
)

relu_squared = Scalar(
    name="relu_squared",
    title="Squared ReLU",
    family="relu",
    aliases=("squared_relu", "relu2"),
    formula=lambda x: relu(x) ** 2,
    summary="max(x, 0)^2: the rectifier of Primer, continuously differentiable.",
    references=(Reference("Primer: Searching for Efficient Transformers for Language Modeling",
                          "So et al.", 2021, "https://arxiv.org/abs/2109.08668"),),
)

leaky_relu = Scalar(
    name="leaky_relu",
    title="Leaky ReLU",
    family="relu",
    aliases=("lrelu", "leakyrelu"),
    parameters=(real("negative_slope", sp.Rational(1, 100), "slope for x < 0"),),
    formula=lambda x, negative_slope: sp.Piecewise((x, x > 0), (negative_slope * x, True)),
    summary="x for x > 0, a small slope times x otherwise, so that negative inputs keep a gradient.",
    references=(Reference("Rectifier Nonlinearities Improve Neural Network Acoustic Models",
                          "Maas, Hannun, Ng", 2013,
                          "https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.leaky_relu(x, negative_slope=0.01)"),
        Eq("keras3", "keras.activations.leaky_relu(x, negative_slope=0.2)", "default slope 0.2"),
        Eq("tf_keras2", "tf.keras.layers.LeakyReLU(alpha=0.3)", "default slope 0.3"),
        Eq("jax", "jax.nn.leaky_relu(x, negative_slope=0.01)"),
        Eq("mlx", "mlx.nn.leaky_relu(x, negative_slope=0.01)"),
        Eq("onnx", "LeakyRelu(alpha=0.01)"),
    ),
)

prelu = Scalar(
    name="prelu",
    title="PReLU",
    family="relu",
    aliases=("parametric_relu",),
    parameters=(real("a", sp.Rational(1, 4), "the learned negative slope (PyTorch's initial value)"),),
    formula=lambda x, a: sp.Piecewise((x, x > 0), (a * x, True)),
    summary="Leaky ReLU whose negative slope a is learned; shown at PyTorch's initial a = 0.25.",
    references=(Reference("Delving Deep into Rectifiers", "He, Zhang, Ren, Sun", 2015,
                          "https://arxiv.org/abs/1502.01852"),),
    equivalents=(
        Eq("pytorch", "torch.nn.PReLU(num_parameters=1, init=0.25)"),
        Eq("keras3", "keras.layers.PReLU()", "initial slope 0"),
        Eq("mlx", "mlx.nn.PReLU(num_parameters=1, init=0.25)"),
        Eq("onnx", "PRelu"),
    ),
)

rrelu = Scalar(
    name="rrelu",
    title="RReLU (evaluation mode)",
    family="relu",
    aliases=("randomized_relu", "randomized_leaky_relu"),
    parameters=(real("lower", sp.Rational(1, 8)), real("upper", sp.Rational(1, 3))),
    constraints=(lambda lower, upper: lower <= upper,),
    constraint_text=("lower <= upper",),
    formula=lambda x, lower, upper: sp.Piecewise((x, x > 0), ((lower + upper) / 2 * x, True)),
    summary="Randomized leaky ReLU; in evaluation mode the slope is fixed at (lower + upper) / 2.",
    references=(Reference("Empirical Evaluation of Rectified Activations in Convolutional Network",
                          "Xu, Wang, Chen, Li", 2015, "https://arxiv.org/abs/1505.00853"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.rrelu(x, lower=1/8, upper=1/3, training=False)"),
    ),
)

thresholded_relu = Scalar(
    name="thresholded_relu",
    title="Thresholded ReLU",
    family="relu",
    parameters=(real("theta", 1, "the threshold"),),
    formula=lambda x, theta: sp.Piecewise((x, x > theta), (0, True)),
    summary="x for x > theta, else 0: a ReLU that ignores small positive inputs (discontinuous).",
    references=(Reference("Zero-bias autoencoders and the benefits of co-adapting features",
                          "Konda, Memisevic, Krueger", 2015, "https://arxiv.org/abs/1402.3337"),),
    equivalents=(
        Eq("tf_keras2", "tf.keras.layers.ThresholdedReLU(theta=1.0)"),
        Eq("onnx", "ThresholdedRelu(alpha=1.0)"),
    ),
)

threshold = Scalar(
    name="threshold",
    title="Threshold",
    family="relu",
    parameters=(real("threshold", 1, "inputs above it pass"), real("value", -1, "what replaces the rest")),
    formula=lambda x, threshold, value: sp.Piecewise((x, x > threshold), (value, True)),
    summary="x if x > threshold else value (PyTorch's Threshold); shown at threshold 1, value -1.",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.threshold(x, threshold=1.0, value=-1.0)",
           "PyTorch has no defaults; these are the values shown here"),
        Eq("keras3", "keras.activations.threshold(x, threshold=1.0, default_value=-1.0)"),
    ),
)
