"""Vector activations R^n -> R^m: the softmax family, sparsemax, maxout and the gated linear units.

Each declaration gives ``build`` (the SymPy components for a given list of real symbols), a NumPy
implementation along an axis, and ``claims``: closed forms for general n that the engine proves for small n.

The ``claims`` keys the engine reads:

* ``formula``: ``{"text", "latex"}``, the i-th component for general n.
* ``jacobian``: ``{"text", "latex", "matrix"}``; ``matrix(xs, ys, **parameters)`` is the claimed Jacobian
  as a SymPy Matrix for concrete symbols ``xs`` and outputs ``ys``.
* ``lipschitz``: ``{"text", "value"}``; ``value(n, **parameters)`` is the claimed 2-norm Lipschitz
  constant for n inputs.
* ``reduces_to``: identities with a scalar activation, each ``{"inputs", "component", "scalar",
  "template"}``: ``build(inputs(x))[component] == template(x, g)`` where ``g(u)`` is the scalar at u.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING, Any

import sympy as sp

from symact.catalog._building import logistic, positive, relu
from symact.declaration import Equivalent as Eq
from symact.declaration import Reference, Vector

if TYPE_CHECKING:
    import numpy as np

# -- SymPy building blocks ------------------------------------------------------------------------


def _softmax(xs: list[sp.Expr]) -> list[sp.Expr]:
    total = sum(sp.exp(v) for v in xs)
    return [sp.exp(v) / total for v in xs]


def _sparsemax(xs: list[sp.Expr]) -> list[sp.Expr]:
    """Euclidean projection onto the simplex: p_i = max(x_i - tau, 0) with tau a Piecewise over supports.

    For a support S (|S| = k) the threshold is tau_S = (sum_{i in S} x_i - 1) / k; S is the support
    exactly when x_i > tau_S for i in S and x_j <= tau_S for j outside S. These 2^n - 1 regions are
    disjoint and cover R^n (tau is the unique root of sum_i max(x_i - tau, 0) = 1), and each keeps its
    own condition so that the engine can reason region by region; the final (nan, True) is never
    reached and is there only because SymPy rewrites of a Piecewise need a default.
    """
    n = len(xs)
    pieces = []
    for k in range(1, n + 1):
        for support in combinations(range(n), k):
            tau = (sum(xs[i] for i in support) - 1) / k
            inside = [xs[i] - tau > 0 for i in support]
            outside = [xs[j] - tau <= 0 for j in range(n) if j not in support]
            pieces.append((tau, sp.And(*inside, *outside)))
    threshold = sp.Piecewise(*pieces, (sp.nan, True))
    return [sp.Max(v - threshold, 0) for v in xs]


def _halves(xs: list[sp.Expr]) -> tuple[list[sp.Expr], list[sp.Expr]]:
    if len(xs) % 2:
        raise ValueError(f"a gated linear unit needs an even number of inputs, got {len(xs)}")
    h = len(xs) // 2
    return list(xs[:h]), list(xs[h:])


def _gated(gate: Callable[[sp.Expr], sp.Expr]) -> Callable[[list[sp.Expr]], list[sp.Expr]]:
    def build(xs: list[sp.Expr]) -> list[sp.Expr]:
        a, b = _halves(xs)
        return [ai * gate(bi) for ai, bi in zip(a, b, strict=True)]

    return build


def _gated_jacobian(gate: Callable[[sp.Expr], sp.Expr], slope: Callable[[sp.Expr], sp.Expr]):
    """[diag(g(b)) | diag(a * g'(b))], with g' written out by hand (the engine proves it)."""

    def matrix(xs: list[sp.Expr], ys: list[sp.Expr]) -> sp.Matrix:
        a, b = _halves(xs)
        h = len(a)
        left = sp.diag(*[gate(v) for v in b]) if h > 1 else sp.Matrix([[gate(b[0])]])
        right = (sp.diag(*[ai * slope(bi) for ai, bi in zip(a, b, strict=True)]) if h > 1
                 else sp.Matrix([[a[0] * slope(b[0])]]))
        return left.row_join(right)

    return matrix


def _phi(v: sp.Expr) -> sp.Expr:
    return sp.exp(-v**2 / 2) / sp.sqrt(2 * sp.pi)


def _Phi(v: sp.Expr) -> sp.Expr:
    return (1 + sp.erf(v / sp.sqrt(2))) / 2


def _gelu(v: sp.Expr) -> sp.Expr:
    return v * _Phi(v)


def _silu(v: sp.Expr) -> sp.Expr:
    return v * logistic(v)


def _simplex_jacobian(ys: list[sp.Expr], scale: sp.Expr = sp.S.One) -> sp.Matrix:
    s = sp.Matrix(ys)
    return scale * (sp.diag(*ys) - s * s.T) if len(ys) > 1 else scale * (sp.Matrix([ys]) - s * s.T)


def _support_jacobian(xs: list[sp.Expr], ys: list[sp.Expr]) -> sp.Matrix:
    """diag(m) - m m^T / |S| with m the indicator of the support S = {i : p_i > 0}."""
    m = [sp.Piecewise((1, y > 0), (0, True)) for y in ys]
    size = sum(m)
    n = len(ys)
    return sp.Matrix(n, n, lambda i, j: (m[i] if i == j else 0) - m[i] * m[j] / size)


# -- NumPy implementations ------------------------------------------------------------------------
# NumPy and SciPy are imported inside the functions: listing the catalog or showing a cached sheet
# loads this module and must stay light.


def _float(z: Any) -> np.ndarray:
    """Floating input as is (float32 stays float32); integers and the like become float64."""
    import numpy as np

    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def _shifted(z: np.ndarray, axis: int) -> np.ndarray:
    """z - max(z): every entry <= 0, so exp never overflows. The difference itself may overflow to
    -inf only for inputs beyond half the float range, where exp(-inf) = 0 is the right answer."""
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):
        return z - np.max(z, axis=axis, keepdims=True)


def _softmax_np(z: Any, axis: int = -1, temperature: Any = 1) -> np.ndarray:
    import numpy as np

    z = _float(z)
    e = np.exp(_shifted(z, axis) / z.dtype.type(float(temperature)))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_np(z: Any, axis: int = -1) -> np.ndarray:
    import numpy as np

    z = _float(z)
    d = _shifted(z, axis)
    return d - np.log(np.sum(np.exp(d), axis=axis, keepdims=True))


def _softmin_np(z: Any, axis: int = -1) -> np.ndarray:
    return _softmax_np(-_float(z), axis=axis)


def _sparsemax_np(z: Any, axis: int = -1) -> np.ndarray:
    """Sort-based projection onto the simplex (Martins & Astudillo 2016, Algorithm 1)."""
    import numpy as np

    z = np.moveaxis(_float(z), axis, -1)
    d = _shifted(z, -1)  # sparsemax is shift invariant; shifting keeps the cumulative sums small
    srt = -np.sort(-d, axis=-1)
    k = np.arange(1, d.shape[-1] + 1, dtype=d.dtype)
    cums = np.cumsum(srt, axis=-1)
    support = 1 + k * srt > cums
    size = np.sum(support, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cums, size - 1, axis=-1) - 1) / size.astype(d.dtype)
    return np.moveaxis(np.maximum(d - tau, 0), -1, axis)


def _maxout_np(z: Any, axis: int = -1) -> np.ndarray:
    import numpy as np

    return np.max(_float(z), axis=axis, keepdims=True)


@cache
def _scalar_numpy(name: str) -> Callable[..., np.ndarray]:
    from symact import get

    return get(name).numpy(0)


def _gated_np(gate: str) -> Callable[..., np.ndarray]:
    """a * g(b) for the halves (a, b) of z along ``axis``, g being the scalar activation ``gate``'s own
    generated NumPy function: the gate is as accurate as the scalar activation is, subnormal tails
    included, and one rounding more is the product."""
    def impl(z: Any, axis: int = -1) -> np.ndarray:
        import numpy as np

        z = _float(z)
        if z.shape[axis] % 2:
            raise ValueError(f"a gated linear unit needs an even size along axis {axis}")
        a, b = np.split(z, 2, axis=axis)
        with np.errstate(over="ignore"):  # a product beyond the float range is inf, as it should be
            return a * _scalar_numpy(gate)(b)

    return impl


# -- Declarations ---------------------------------------------------------------------------------

_SIMPLEX_RANGE_NOTE = "each component lies in the open interval (0, 1) and they sum to 1"

softmax = Vector(
    name="softmax",
    title="Softmax",
    family="vector",
    aliases=("softargmax", "normalized_exponential"),
    parameters=(positive("temperature", 1, "T: divides the inputs; T -> 0 gives argmax, T -> oo "
                                            "the uniform distribution"),),
    build=lambda xs, temperature: _softmax([v / temperature for v in xs]),
    numpy_impl=_softmax_np,
    output_dim="n",
    min_n=1,
    summary="Exponentiate and normalise: a smooth, shift-invariant map onto the probability simplex "
            "(" + _SIMPLEX_RANGE_NOTE + ").",
    references=(Reference("Probabilistic interpretation of feedforward classification network outputs, "
                          "with relationships to statistical pattern recognition", "Bridle", 1990,
                          "https://doi.org/10.1007/978-3-642-76153-9_28"),),
    equivalents=(
        Eq("pytorch", "torch.nn.functional.softmax(x / T, dim=-1)", "no temperature argument"),
        Eq("keras3", "keras.activations.softmax(x / T, axis=-1)"),
        Eq("tf_keras2", "tf.keras.activations.softmax(x / T, axis=-1)"),
        Eq("jax", "jax.nn.softmax(x / T, axis=-1)"),
        Eq("mlx", "mlx.core.softmax(x / T, axis=-1)"),
        Eq("onnx", "Softmax (axis=-1)"),
    ),
    claims={
        "formula": {"text": "exp(x_i/T) / Sum_j exp(x_j/T)",
                    "latex": r"s_i = \frac{e^{x_i/T}}{\sum_{j=1}^{n} e^{x_j/T}}"},
        "jacobian": {"text": "(diag(s) - s*s^T)/T",
                     "latex": r"\frac{1}{T}\left(\operatorname{diag}(s) - s s^{\top}\right)",
                     "matrix": lambda xs, ys, temperature: _simplex_jacobian(ys, 1 / temperature)},
        "lipschitz": {"text": "1/(2*T) for n >= 2",
                      "value": lambda n, temperature: sp.S.Zero if n < 2 else 1 / (2 * temperature)},
        "reduces_to": (
            {"inputs": lambda x, temperature: [x, 0], "component": 0, "scalar": "sigmoid",
             "template": lambda x, g, temperature: g(x / temperature)},
            {"inputs": lambda x, temperature: [x, 0], "component": 1, "scalar": "sigmoid",
             "template": lambda x, g, temperature: g(-x / temperature)},
        ),
    },
)

log_softmax = Vector(
    name="log_softmax",
    title="Log-softmax",
    family="vector",
    aliases=("logsoftmax",),
    build=lambda xs: [v - sp.log(sum(sp.exp(u) for u in xs)) for v in xs],
    numpy_impl=_log_softmax_np,
    output_dim="n",
    min_n=1,
    summary="The logarithm of softmax, x_i - logsumexp(x): log-probabilities, computed without forming "
            "the probabilities.",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.log_softmax(x, dim=-1)"),
        Eq("keras3", "keras.activations.log_softmax(x, axis=-1)"),
        Eq("tf_keras2", "tf.nn.log_softmax(x, axis=-1)", "not in tf.keras.activations"),
        Eq("jax", "jax.nn.log_softmax(x, axis=-1)"),
        Eq("mlx", "mlx.nn.log_softmax(x, axis=-1)"),
        Eq("onnx", "LogSoftmax (axis=-1)"),
    ),
    claims={
        "formula": {"text": "x_i - log(Sum_j exp(x_j))",
                    "latex": r"x_i - \log \sum_{j=1}^{n} e^{x_j}"},
        "jacobian": {"text": "I - 1*s^T, s = softmax(x)",
                     "latex": r"I - \mathbf{1} s^{\top},\quad s = \operatorname{softmax}(x)",
                     "matrix": lambda xs, ys: sp.eye(len(xs))
                     - sp.ones(len(xs), 1) * sp.Matrix([[sp.exp(y) for y in ys]])},
        # I - 1 s^T is an oblique projection of norm sqrt(n) |s|_2, whose sup over the simplex is
        # approached at a vertex.
        "lipschitz": {"text": "sqrt(n) (approached, never attained)",
                      "value": lambda n: sp.S.Zero if n < 2 else sp.sqrt(n)},
        "reduces_to": (
            {"inputs": lambda x: [x, 0], "component": 0, "scalar": "log_sigmoid"},
            {"inputs": lambda x: [x, 0], "component": 1, "scalar": "log_sigmoid",
             "template": lambda x, g: g(-x)},
        ),
    },
)

softmin = Vector(
    name="softmin",
    title="Softmin",
    family="vector",
    build=lambda xs: _softmax([-v for v in xs]),
    numpy_impl=_softmin_np,
    output_dim="n",
    min_n=1,
    summary="softmax(-x): the largest weight goes to the smallest input.",
    equivalents=(
        Eq("pytorch", "torch.nn.functional.softmin(x, dim=-1)"),
        Eq("keras3", "keras.activations.softmax(-x, axis=-1)"),
        Eq("tf_keras2", "tf.keras.activations.softmax(-x, axis=-1)"),
        Eq("jax", "jax.nn.softmax(-x, axis=-1)"),
        Eq("mlx", "mlx.core.softmax(-x, axis=-1)"),
    ),
    claims={
        "formula": {"text": "exp(-x_i) / Sum_j exp(-x_j)",
                    "latex": r"\frac{e^{-x_i}}{\sum_{j=1}^{n} e^{-x_j}}"},
        "jacobian": {"text": "-(diag(s) - s*s^T), s = softmin(x)",
                     "latex": r"-\left(\operatorname{diag}(s) - s s^{\top}\right)",
                     "matrix": lambda xs, ys: _simplex_jacobian(ys, -1)},
        "lipschitz": {"text": "1/2 for n >= 2", "value": lambda n: sp.S.Zero if n < 2 else sp.S.Half},
        "reduces_to": (
            {"inputs": lambda x: [x, 0], "component": 0, "scalar": "sigmoid",
             "template": lambda x, g: g(-x)},
        ),
    },
)

sparsemax = Vector(
    name="sparsemax",
    title="Sparsemax",
    family="vector",
    build=_sparsemax,
    numpy_impl=_sparsemax_np,
    output_dim="n",
    min_n=1,
    max_n=6,  # the closed form has a piece for each of the 2^n - 1 supports: 17 s at n = 6
    summary="The Euclidean projection of x onto the probability simplex: like softmax, but with exact "
            "zeros; p_i = max(x_i - tau(x), 0) with tau chosen so the p_i sum to 1.",
    references=(Reference("From Softmax to Sparsemax: A Sparse Model of Attention and Multi-Label "
                          "Classification", "Martins, Astudillo", 2016,
                          "https://arxiv.org/abs/1602.02068"),),
    equivalents=(
        Eq("keras3", "keras.activations.sparsemax(x, axis=-1)"),
        Eq("tf_keras2", "tfa.activations.sparsemax(x, axis=-1)", "TensorFlow Addons (unmaintained)"),
        Eq("pytorch", "entmax.sparsemax(x, dim=-1)", "the entmax package; not in torch itself"),
    ),
    claims={
        "formula": {"text": "max(x_i - tau(x), 0), Sum_i max(x_i - tau, 0) = 1",
                    "latex": r"\max(x_i - \tau(x), 0),\quad \sum_{i} \max(x_i - \tau, 0) = 1"},
        "jacobian": {"text": "diag(m) - m*m^T/|S|, m_i = [p_i > 0], S the support",
                     "latex": r"\operatorname{diag}(m) - \frac{m m^{\top}}{|S|},\quad m_i = [p_i > 0]",
                     "matrix": _support_jacobian},
        # The Jacobian is the orthogonal projection onto the support's sum-zero subspace.
        "lipschitz": {"text": "1 for n >= 2",
                      "value": lambda n: sp.S.Zero if n < 2 else sp.S.One},
        "reduces_to": (
            {"inputs": lambda x: [x, 0], "component": 0, "scalar": "sparse_sigmoid"},
            {"inputs": lambda x: [x, 0], "component": 1, "scalar": "sparse_sigmoid",
             "template": lambda x, g: g(-x)},
        ),
    },
)

maxout = Vector(
    name="maxout",
    title="Maxout",
    family="vector",
    aliases=("max_out",),
    build=lambda xs: [sp.Max(*xs)],
    numpy_impl=_maxout_np,
    output_dim="1",
    min_n=1,
    summary="The largest of k affine pieces; here the inputs are the pieces, so maxout(x) = max_i x_i "
            "(the affine maps belong to the layer before).",
    references=(Reference("Maxout Networks", "Goodfellow, Warde-Farley, Mirza, Courville, Bengio",
                          2013, "https://arxiv.org/abs/1302.4389"),),
    equivalents=(
        Eq("pytorch", "x.amax(dim=-1, keepdim=True)", "pieces along the last axis; no maxout built-in"),
        Eq("keras3", "keras.ops.max(x, axis=-1, keepdims=True)"),
        Eq("tf_keras2", "tfa.layers.Maxout(num_units)", "TensorFlow Addons (unmaintained)"),
        Eq("jax", "jax.numpy.max(x, axis=-1, keepdims=True)"),
        Eq("mlx", "mlx.core.max(x, axis=-1, keepdims=True)"),
    ),
    claims={
        "formula": {"text": "max_i x_i", "latex": r"\max_{1 \le i \le k} x_i"},
        "jacobian": {"text": "e_argmax^T (the one-hot row of the largest piece)",
                     "latex": r"e_{\arg\max_i x_i}^{\top}",
                     "matrix": lambda xs, ys: sp.Matrix([[
                         sp.Heaviside(v - sp.Max(*[u for u in xs if u is not v]))
                         if len(xs) > 1 else sp.S.One for v in xs]])},
        "lipschitz": {"text": "1", "value": lambda n: sp.S.One},
        "reduces_to": (
            {"inputs": lambda x: [x, 0], "component": 0, "scalar": "relu"},
            {"inputs": lambda x: [x, x / 100], "component": 0, "scalar": "leaky_relu"},
        ),
    },
)


def _glu_family(name: str, title: str, gate_name: str, gate: Callable[[sp.Expr], sp.Expr],
                slope: Callable[[sp.Expr], sp.Expr],
                summary: str, equivalents: tuple[Eq, ...], reduces: tuple[dict, ...],
                references: tuple[Reference, ...], gate_latex: str) -> Vector:
    return Vector(
        name=name,
        title=title,
        family="vector",
        build=_gated(gate),
        numpy_impl=_gated_np(gate_name),
        output_dim="n/2",
        min_n=2,
        n_step=2,
        summary=summary,
        references=references,
        equivalents=equivalents,
        claims={
            "formula": {"text": f"a_i * {gate_name}(b_i), (a, b) the two halves of x",
                        "latex": rf"a_i\,{gate_latex}(b_i),\quad x = (a, b)"},
            "jacobian": {"text": f"[diag({gate_name}(b)) | diag(a * {gate_name}'(b))]",
                         "latex": rf"\left[\operatorname{{diag}}({gate_latex}(b)) \;\middle|\; "
                                  rf"\operatorname{{diag}}(a \odot {gate_latex}'(b))\right]",
                         "matrix": _gated_jacobian(gate, slope)},
            "lipschitz": {"text": "oo (unbounded: the product a * g(b) grows without bound)",
                          "value": lambda n: sp.oo},
            "reduces_to": reduces,
        },
    )


_SHAZEER = Reference("GLU Variants Improve Transformer", "Shazeer", 2020,
                     "https://arxiv.org/abs/2002.05202")

glu = _glu_family(
    "glu", "Gated linear unit (GLU)", "sigmoid", logistic,
    lambda v: logistic(v) * (1 - logistic(v)),
    "Split x into halves (a, b) and gate the first by the logistic sigmoid of the second: a * sigmoid(b).",
    (
        Eq("pytorch", "torch.nn.functional.glu(x, dim=-1)"),
        Eq("keras3", "keras.activations.glu(x, axis=-1)"),
        Eq("jax", "jax.nn.glu(x, axis=-1)"),
        Eq("mlx", "mlx.nn.glu(x, axis=-1)"),
    ),
    (
        {"inputs": lambda x: [x, x], "component": 0, "scalar": "silu"},
        {"inputs": lambda x: [1, x], "component": 0, "scalar": "sigmoid"},
    ),
    (Reference("Language Modeling with Gated Convolutional Networks",
               "Dauphin, Fan, Auli, Grangier", 2017, "https://arxiv.org/abs/1612.08083"),),
    r"\sigma",
)

reglu = _glu_family(
    "reglu", "ReGLU", "relu", relu, lambda v: sp.Heaviside(v),
    "A gated linear unit with a ReLU gate: a * max(b, 0).",
    (Eq("pytorch", "a * torch.nn.functional.relu(b), (a, b) = x.chunk(2, dim=-1)", "no built-in"),
     Eq("jax", "a * jax.nn.relu(b), (a, b) = jax.numpy.split(x, 2, axis=-1)", "no built-in")),
    (
        {"inputs": lambda x: [x, x], "component": 0, "scalar": "relu_squared"},
        {"inputs": lambda x: [1, x], "component": 0, "scalar": "relu"},
    ),
    (_SHAZEER,),
    r"\operatorname{relu}",
)

geglu = _glu_family(
    "geglu", "GEGLU", "gelu", _gelu, lambda v: _Phi(v) + v * _phi(v),
    "A gated linear unit with an exact (erf) GELU gate: a * b * Phi(b).",
    (Eq("pytorch", "a * torch.nn.functional.gelu(b), (a, b) = x.chunk(2, dim=-1)", "no built-in"),
     Eq("jax", "a * jax.nn.gelu(b, approximate=False), (a, b) = jax.numpy.split(x, 2, axis=-1)",
        "no built-in; jax.nn.gelu defaults to the tanh approximation")),
    (
        {"inputs": lambda x: [x, x], "component": 0, "scalar": "gelu",
         "template": lambda x, g: x * g(x)},
        {"inputs": lambda x: [1, x], "component": 0, "scalar": "gelu"},
    ),
    (_SHAZEER,),
    r"\operatorname{gelu}",
)

swiglu = _glu_family(
    "swiglu", "SwiGLU", "silu", _silu,
    lambda v: logistic(v) * (1 + v * (1 - logistic(v))),
    "A gated linear unit with a SiLU (swish, beta = 1) gate: a * b * sigmoid(b).",
    (Eq("pytorch", "a * torch.nn.functional.silu(b), (a, b) = x.chunk(2, dim=-1)", "no built-in"),
     Eq("jax", "a * jax.nn.silu(b), (a, b) = jax.numpy.split(x, 2, axis=-1)", "no built-in"),
     Eq("mlx", "a * mlx.nn.silu(b), (a, b) = mlx.core.split(x, 2, axis=-1)", "no built-in")),
    (
        {"inputs": lambda x: [x, x], "component": 0, "scalar": "silu",
         "template": lambda x, g: x * g(x)},
        {"inputs": lambda x: [1, x], "component": 0, "scalar": "silu"},
    ),
    (_SHAZEER,),
    r"\operatorname{silu}",
)
