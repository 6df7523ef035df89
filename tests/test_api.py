"""The Python entry points: ``symact.get``, ``symact.names``, aliases, and the two user errors.

Every test is parametrised over the registry (names, aliases, parameters, parameter relations).
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symact
from symact.registry import declarations

DECLS = list(declarations().values())
ALIASES = [(alias, d.name) for d in DECLS for alias in d.aliases]
PARAMS = [(d.name, p) for d in DECLS for p in d.parameters]
BOUNDED_PARAMS = [(n, p) for n, p in PARAMS if p.domain != sp.S.Reals]
RELATED = [d for d in DECLS if d.constraints]


PARAM_IDS = [f"{n}.{p.name}" for n, p in PARAMS]
BOUNDED_IDS = [f"{n}.{p.name}" for n, p in BOUNDED_PARAMS]


# -- names and aliases ------------------------------------------------------------------------------------
def test_names_are_unique_and_all_declared() -> None:
    names = symact.names()
    assert names, "the catalog is empty"
    assert len(names) == len(set(names))
    assert names == [d.name for d in DECLS]


@pytest.mark.parametrize("name", symact.names())
def test_get_by_name(name: str) -> None:
    act = symact.get(name)
    assert isinstance(act, symact.Activation)
    assert act.name == name
    assert act.kind in ("scalar", "vector")
    assert set(act.params) == {p.name for p in act.decl.parameters}


@pytest.mark.parametrize("name", symact.names())
def test_names_are_normalised(name: str) -> None:
    """Case, surrounding blanks and hyphens for underscores name the same activation."""
    for spelling in (name.upper(), f"  {name} ", name.replace("_", "-")):
        assert symact.get(spelling).name == name


@pytest.mark.parametrize(("alias", "name"), ALIASES, ids=[a for a, _ in ALIASES])
def test_alias_resolves_to_its_declaration(alias: str, name: str) -> None:
    assert symact.get(alias).name == name
    assert symact.get(alias).decl is symact.get(name).decl


def test_no_alias_shadows_a_name() -> None:
    names = set(symact.names())
    assert not [alias for alias, owner in ALIASES if alias in names and alias != owner]


# -- unknown names -----------------------------------------------------------------------------------------
def _typos(name: str) -> list[str]:
    mid = len(name) // 2
    return [name + name[-1], name[:mid] + name[mid] + name[mid:]]


@pytest.mark.parametrize("name", symact.names())
def test_unknown_name_suggests_the_near_one(name: str) -> None:
    for typo in _typos(name):
        with pytest.raises(symact.UnknownActivation) as info:
            symact.get(typo)
        assert isinstance(info.value, LookupError)
        message = str(info.value)
        assert repr(typo) in message
        assert "did you mean" in message
        assert name in message.split("did you mean", 1)[1]


def test_unknown_name_far_from_everything_points_to_the_list() -> None:
    with pytest.raises(symact.UnknownActivation, match="symact list"):
        symact.get("qqqqqqqqqqqq")


def test_a_long_unknown_name_is_cut_short_in_the_message() -> None:
    with pytest.raises(symact.UnknownActivation) as info:
        symact.get("g" * 100_000)
    assert len(str(info.value)) < 200 and "symact list" in str(info.value)
    with pytest.raises(symact.InvalidParameter) as info:
        symact.get("softplus", **{"b" * 100_000: 1})
    assert len(str(info.value)) < 200 and "beta" in str(info.value)


# -- parameter values ------------------------------------------------------------------------------------
def _outside(domain: sp.Interval) -> list[sp.Expr]:
    """Values just outside an interval: past each finite end, and the end itself when it is open."""
    values = []
    if domain.inf.is_finite:
        values.append(domain.inf - 1)
        if domain.left_open:
            values.append(domain.inf)
    if domain.sup.is_finite:
        values.append(domain.sup + 1)
        if domain.right_open:
            values.append(domain.sup)
    return values


@pytest.mark.parametrize(("name", "param"), BOUNDED_PARAMS, ids=BOUNDED_IDS)
def test_value_outside_a_domain_names_the_constraint(name: str, param) -> None:
    outside = _outside(param.domain)
    assert outside, f"{name}.{param.name}: domain {param.domain} has no finite end"
    for value in outside:
        for given in (value, str(value)):
            with pytest.raises(symact.InvalidParameter) as info:
                symact.get(name, **{param.name: given})
            assert isinstance(info.value, ValueError)
            message = str(info.value)
            assert param.name in message
            assert str(value) in message
            # The constraint itself is named: the bound it violates appears in the message.
            bound = param.domain.inf if value <= param.domain.inf else param.domain.sup
            assert str(bound) in message.split("got")[0]


@pytest.mark.parametrize(("name", "param"), PARAMS, ids=PARAM_IDS)
@pytest.mark.parametrize("bad", ["abc", "", "x", "1/0", "oo", "nan", float("nan"), float("inf"), True])
def test_non_numbers_are_invalid(name: str, param, bad) -> None:
    with pytest.raises(symact.InvalidParameter) as info:
        symact.get(name, **{param.name: bad})
    assert param.name in str(info.value)


@pytest.mark.parametrize("name", [d.name for d in DECLS])
def test_unknown_parameter_is_invalid(name: str) -> None:
    decl = declarations()[name]
    with pytest.raises(symact.InvalidParameter) as info:
        symact.get(name, no_such_parameter=1)
    message = str(info.value)
    assert "no_such_parameter" in message
    for p in decl.parameters:  # the message lists (or suggests) the real ones
        assert p.name in message
    if decl.parameters:
        first = decl.parameters[0].name
        with pytest.raises(symact.InvalidParameter, match="did you mean"):
            symact.get(name, **{first + "_": 1})


# Values past 1e3 in magnitude, or nonzero and under 1e-3, typed or given. Several would hang SymPy or
# Python if read naively (9**9**9, 1e999999999, a power of a 60-digit fraction).
HUGE_OR_TINY = ["9**9**9", "1e999999999", "2*1e-999999999", "1e999999", "2**-3000", "10**4", "1e-4",
                "1000.0000001", "0.000999", "exp(exp(exp(exp(9))))", "(1+1/10**60)**(10**50)",
                "((1+1/10**30)**1000)**1000", "sqrt(2)**(10**80)", "1e2*1e2", 10**5000, 1001, 1e300,
                5e-324, 0.000999, sp.Integer(10) ** 4, sp.Rational(1, 1001), sp.pi * 10**3]


@pytest.mark.parametrize(("name", "param"), PARAMS, ids=PARAM_IDS)
def test_values_past_the_magnitude_bounds_are_refused(name: str, param) -> None:
    for value in HUGE_OR_TINY:
        for sign in (1, -1):
            given = value if sign == 1 else (f"-({value})" if isinstance(value, str) else -value)
            with pytest.raises(symact.InvalidParameter) as info:
                symact.get(name, **{param.name: given})
            message = str(info.value)
            assert param.name in message and "1e-3 and 1e3" in message, message
            assert len(message) < 160, message


@pytest.mark.parametrize(("name", "param"), PARAMS, ids=PARAM_IDS)
@pytest.mark.parametrize(("text", "exact"), [("1e3", sp.Integer(1000)), ("-1e3", sp.Integer(-1000)),
                                             ("10**(-3)", sp.Rational(1, 1000)), ("2**-3", sp.Rational(1, 8)),
                                             ("-0.001", sp.Rational(-1, 1000)), ("0", sp.Integer(0)),
                                             ("-0.0", sp.Integer(0))], ids=repr)
def test_values_at_the_magnitude_bounds_are_read(name: str, param, text: str, exact: sp.Expr) -> None:
    """The bounds themselves, and 0, pass the magnitude rule; only the domain and relations refuse them."""
    decl = declarations()[name]
    values = {**symact.get(name).params, param.name: exact}
    if param.domain.contains(exact) is not sp.true or not _satisfies(decl, values):
        with pytest.raises(symact.InvalidParameter) as info:
            symact.get(name, **{param.name: text})
        assert "magnitude" not in str(info.value)
        return
    assert symact.get(name, **{param.name: text}).params[param.name] == exact


def _satisfies(decl, values: dict[str, sp.Expr]) -> bool:
    return all(bool(rule(**values)) for rule in decl.constraints)


@pytest.mark.parametrize(("name", "param"), PARAMS, ids=PARAM_IDS)
@pytest.mark.parametrize(("text", "exact"), [("0.1", sp.Rational(1, 10)), (0.1, sp.Rational(1, 10)),
                                             ("sqrt(2)", sp.sqrt(2)), ("3/7", sp.Rational(3, 7)),
                                             ("1e-2", sp.Rational(1, 100))], ids=repr)
def test_given_values_become_exact(name: str, param, text, exact: sp.Expr) -> None:
    """Values are read exactly: "0.1" and 0.1 are 1/10, not the nearest double."""
    decl = declarations()[name]
    if param.domain.contains(exact) is not sp.true:
        pytest.skip(f"{exact} lies outside {param.name}'s domain")
    values = {**symact.get(name).params, param.name: exact}
    if not _satisfies(decl, values):
        with pytest.raises(symact.InvalidParameter):
            symact.get(name, **{param.name: text})
        return
    act = symact.get(name, **{param.name: text})
    assert act.params[param.name] == exact


@pytest.mark.parametrize("decl", RELATED, ids=lambda d: d.name)
def test_relations_between_parameters(decl) -> None:
    """Every combination from a small grid either satisfies the declared relations and is accepted,
    or violates one and is refused with the relation's text in the message."""
    grid = [sp.Integer(-2), sp.Integer(0), sp.Integer(2)]
    names = [p.name for p in decl.parameters]
    refused = accepted = 0
    for combo in itertools.product(grid, repeat=len(names)):
        values = dict(zip(names, combo, strict=True))
        if any(p.domain.contains(values[p.name]) is not sp.true for p in decl.parameters):
            continue
        broken = [text for rule, text in zip(decl.constraints, decl.constraint_text, strict=True)
                  if not bool(rule(**values))]
        if broken:
            with pytest.raises(symact.InvalidParameter) as info:
                symact.get(decl.name, **values)
            assert any(text in str(info.value) for text in broken)
            refused += 1
        else:
            assert symact.get(decl.name, **values).params == values
            accepted += 1
    assert refused and accepted, "the grid should exercise both outcomes"


@pytest.mark.parametrize("name", symact.names())
def test_defaults_are_valid_and_exact(name: str) -> None:
    act = symact.get(name)
    for p in act.decl.parameters:
        value = act.params[p.name]
        assert isinstance(value, sp.Expr) and value.is_number
        assert not value.has(sp.Float), f"{name}.{p.name} default is not exact: {value}"
        assert p.domain.contains(value) is sp.true


@pytest.mark.slow
def test_readme_examples_are_true() -> None:
    """The Python session in README.md, run as a doctest."""
    import doctest
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1] / "README.md"
    result = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5
    assert result.failed == 0


@pytest.mark.parametrize("value", [np.float64(0.1), np.float32(0.1), np.float16(0.1), Decimal("0.1"),
                                   Fraction(1, 10), 0.1, "0.1"], ids=repr)
def test_numbers_of_every_kind_are_read_exactly(value) -> None:
    """NumPy's scalars, Decimal and Fraction are numbers too, read as printed: 1/10 each."""
    assert symact.get("softplus", beta=value).params["beta"] == sp.Rational(1, 10)
    assert symact.get("softplus", beta=np.int64(2)).params["beta"] == 2


@pytest.mark.parametrize("value", [np.True_, True, np.float64("nan"), Decimal("inf"), None, [1], 1j],
                         ids=repr)
def test_non_numbers_are_invalid_parameters(value) -> None:
    with pytest.raises(symact.InvalidParameter, match="parameter beta must be"):
        symact.get("softplus", beta=value)
