"""Disproportionality statistics (PRR, chi-squared, ROR) on a 2×2 table of reactions."""

import math
from dataclasses import dataclass

# In spontaneous-report databases b and d count other reports; here they count procedures,
# the exposures themselves, so the table is closer to a cohort comparison of reaction risks.

PRR_THRESHOLD = 2.0
CHI_SQUARED_THRESHOLD = 4.0
MINIMUM_REACTIONS = 3
Z_95 = 1.96
HALDANE = 0.5


def _check(a: float, b: float, c: float, d: float) -> None:
    if min(a, b, c, d) < 0:
        raise ValueError("Cells of a 2×2 table cannot be negative.")


def prr(a: float, b: float, c: float, d: float) -> float | None:
    """Proportional reporting ratio (a/(a+b)) / (c/(c+d)); None when c is 0 or a row is empty."""
    _check(a, b, c, d)
    if c == 0 or a + b == 0 or c + d == 0:
        return None
    # One division of exact products, so a ratio of exactly 2 comes out as exactly 2.0.
    return (a * (c + d)) / (c * (a + b))


def chi_squared(a: float, b: float, c: float, d: float) -> float | None:
    """Pearson's chi-squared with Yates' continuity correction (as used by Evans et al. 2001):
    N·max(0, |ad − bc| − N/2)² / ((a+b)(c+d)(a+c)(b+d)); None when a row or column is empty."""
    _check(a, b, c, d)
    n = a + b + c + d
    denominator = (a + b) * (c + d) * (a + c) * (b + d)
    if denominator == 0:
        return None
    corrected = max(0.0, abs(a * d - b * c) - n / 2)
    return n * corrected**2 / denominator


@dataclass(frozen=True)
class OddsRatio:
    ror: float
    lower: float
    upper: float
    haldane: bool


def ror(a: float, b: float, c: float, d: float, *, haldane: bool = False) -> OddsRatio | None:
    """Reporting odds ratio (a/b)/(c/d) with its 95% confidence interval
    exp(ln(ROR) ± 1.96·sqrt(1/a + 1/b + 1/c + 1/d)).

    None when any cell is zero, unless haldane is set: then 0.5 is added to every cell."""
    _check(a, b, c, d)
    corrected = False
    if 0 in (a, b, c, d):
        if not haldane:
            return None
        a, b, c, d = (a + HALDANE, b + HALDANE, c + HALDANE, d + HALDANE)
        corrected = True
    ratio = (a * d) / (b * c)
    spread = Z_95 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    log_ratio = math.log(ratio)
    return OddsRatio(ratio, math.exp(log_ratio - spread), math.exp(log_ratio + spread), corrected)


@dataclass(frozen=True)
class Signal:
    """Every figure for one table, and which criteria it met."""

    a: int
    b: int
    c: int
    d: int
    prr: float | None
    chi_squared: float | None
    ror: float | None
    ror_lower: float | None
    ror_upper: float | None
    haldane: bool
    prr_met: bool  # PRR ≥ 2
    chi_squared_met: bool  # chi-squared ≥ 4
    count_met: bool  # a ≥ 3
    ror_met: bool  # lower 95% bound of the ROR > 1

    @property
    def evans(self) -> bool:
        """PRR ≥ 2, chi-squared ≥ 4 and at least three reactions."""
        return self.prr_met and self.chi_squared_met and self.count_met

    @property
    def by_ror(self) -> bool:
        """The ROR's lower 95% bound above 1, with at least three reactions."""
        return self.ror_met and self.count_met

    @property
    def signal(self) -> bool:
        return self.evans or self.by_ror

    @property
    def criteria_met(self) -> tuple[str, ...]:
        flags = (("prr", self.prr_met), ("chi_squared", self.chi_squared_met),
                 ("count", self.count_met), ("ror", self.ror_met))
        return tuple(name for name, met in flags if met)


def is_signal(a: int, b: int, c: int, d: int, *, haldane: bool = False) -> Signal:
    """All the figures for one product (or shade, or lot) against all the others, and the
    criteria met. The table:

                             reaction    no reaction
        this product             a            b
        all other products       c            d

        a = adverse reactions linked to the product,
        b = procedures that used the product without a reaction (its procedures minus a),
        c = adverse reactions linked to other products,
        d = procedures that used other products without a reaction (their procedures minus c).

    A signal by the Evans criteria is PRR ≥ 2 with chi-squared ≥ 4 and a ≥ 3 (Evans SJW,
    Waller PC, Davis S. Use of proportional reporting ratios (PRRs) for signal generation from
    spontaneous adverse drug reaction reports. Pharmacoepidemiol Drug Saf 2001;10:483-486);
    the chi-squared is Pearson's with Yates' correction, as theirs. A signal by the ROR is a
    lower 95% confidence bound above 1, with the same minimum of three reactions. A figure that
    is undefined (a division by zero, the logarithm of zero) is None and meets no criterion;
    haldane adds 0.5 to every cell of the ROR's table when one is zero, and is then flagged.
    """
    ratio = prr(a, b, c, d)
    chi = chi_squared(a, b, c, d)
    odds = ror(a, b, c, d, haldane=haldane)
    return Signal(
        a=a, b=b, c=c, d=d,
        prr=ratio,
        chi_squared=chi,
        ror=odds.ror if odds else None,
        ror_lower=odds.lower if odds else None,
        ror_upper=odds.upper if odds else None,
        haldane=bool(odds and odds.haldane),
        prr_met=ratio is not None and ratio >= PRR_THRESHOLD,
        chi_squared_met=chi is not None and chi >= CHI_SQUARED_THRESHOLD,
        count_met=a >= MINIMUM_REACTIONS,
        ror_met=odds is not None and odds.lower > 1,
    )
