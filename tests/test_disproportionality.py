"""PRR, chi-squared and ROR against figures worked out by hand, and the signal thresholds."""

import math

import pytest

from registry.services.disproportionality import chi_squared, is_signal, prr, ror

# The hand example: 20 reactions in 100 procedures with the product (a=20, b=80), 100 reactions
# in 2000 procedures with the other products (c=100, d=1900); N = 2100.
EXAMPLE = (20, 80, 100, 1900)


def test_prr_by_hand():
    # (20 / (20+80)) / (100 / (100+1900)) = 0.20 / 0.05 = 4
    assert prr(*EXAMPLE) == 4.0


def test_chi_squared_with_yates_correction_by_hand():
    # ad = 20·1900 = 38000, bc = 80·100 = 8000, |ad − bc| = 30000, N/2 = 1050
    # numerator   = N·(30000 − 1050)² = 2100 · 28950² = 2100 · 838,102,500 = 1,760,015,250,000
    # denominator = (a+b)(c+d)(a+c)(b+d) = 100 · 2000 · 120 · 1980 = 47,520,000,000
    # chi-squared = 1,760,015,250,000 / 47,520,000,000 = 37.03736 (uncorrected it would be 39.77)
    assert chi_squared(*EXAMPLE) == pytest.approx(1_760_015_250_000 / 47_520_000_000)
    assert chi_squared(*EXAMPLE) == pytest.approx(37.03736, abs=1e-5)


def test_chi_squared_correction_never_goes_below_zero():
    # |ad − bc| = |10·10 − 10·10| = 0 < N/2: the corrected difference is 0, not (0 − 20)².
    assert chi_squared(10, 10, 10, 10) == 0.0


def test_ror_and_its_confidence_interval_by_hand():
    # ROR = (20/80) / (100/1900) = 0.25 / 0.0526316 = (20·1900)/(80·100) = 38000/8000 = 4.75
    # SE(ln ROR) = sqrt(1/20 + 1/80 + 1/100 + 1/1900)
    #            = sqrt(0.05 + 0.0125 + 0.01 + 0.000526316) = sqrt(0.073026316) = 0.270234
    # ln 4.75 = 1.558145; 1.96 · 0.270234 = 0.529658
    # lower = exp(1.558145 − 0.529658) = exp(1.028487) = 2.79683
    # upper = exp(1.558145 + 0.529658) = exp(2.087803) = 8.06717
    odds = ror(*EXAMPLE)
    assert odds.ror == 4.75
    spread = 1.96 * math.sqrt(1 / 20 + 1 / 80 + 1 / 100 + 1 / 1900)
    assert odds.lower == pytest.approx(math.exp(math.log(4.75) - spread))
    assert odds.upper == pytest.approx(math.exp(math.log(4.75) + spread))
    assert odds.lower == pytest.approx(2.79683, abs=1e-5)
    assert odds.upper == pytest.approx(8.06717, abs=1e-5)
    assert not odds.haldane


def test_the_hand_example_is_a_signal_on_every_criterion():
    result = is_signal(*EXAMPLE)
    assert (result.prr, result.ror) == (4.0, 4.75)
    assert result.criteria_met == ("prr", "chi_squared", "count", "ror")
    assert result.evans and result.by_ror and result.signal


def test_zero_cells_give_no_figure_instead_of_a_division_error():
    assert prr(5, 10, 0, 100) is None  # no reactions with the other products
    assert prr(0, 0, 5, 100) is None  # the product was never used
    assert prr(0, 10, 5, 100) == 0.0  # defined: no reactions with the product
    assert chi_squared(0, 0, 5, 100) is None  # an empty row
    assert chi_squared(5, 0, 5, 0) is None  # an empty column
    for table in ((0, 10, 5, 100), (5, 0, 5, 100), (5, 10, 0, 100), (5, 10, 5, 0)):
        assert ror(*table) is None
    result = is_signal(5, 10, 0, 100)
    assert (result.prr, result.ror, result.ror_lower) == (None, None, None)
    assert result.criteria_met == ("chi_squared", "count")
    assert not result.signal


def test_the_haldane_correction_adds_a_half_to_every_cell_and_says_so():
    # (0.5 · 100.5) / (10.5 · 5.5) = 50.25 / 57.75 = 0.870130
    odds = ror(0, 10, 5, 100, haldane=True)
    assert odds.ror == pytest.approx(50.25 / 57.75)
    assert odds.haldane
    assert is_signal(0, 10, 5, 100, haldane=True).haldane
    assert not is_signal(*EXAMPLE, haldane=True).haldane  # no zero cell: left alone


def test_negative_cells_are_refused():
    with pytest.raises(ValueError):
        prr(-1, 10, 5, 100)


def test_three_reactions_meet_the_evans_count_and_two_do_not():
    # a=3: PRR = (3/10)/(10/1000) = 30; chi-squared = 1010·(2970 − 70 − 505)² / (10·1000·13·997)
    #      = 1010 · 2395² / 129,610,000 = 44.70
    three = is_signal(3, 7, 10, 990)
    assert three.prr == 30.0
    assert three.chi_squared == pytest.approx(1010 * 2395**2 / 129_610_000)
    assert three.evans and three.signal
    # a=2: PRR = (2/10)/(10/1000) = 20; chi-squared = 1010·(1980 − 80 − 505)² / (10·1000·12·998)
    #      = 1010 · 1395² / 119,760,000 = 16.41; both above threshold, but only two reactions.
    two = is_signal(2, 8, 10, 990)
    assert two.prr == 20.0
    assert two.chi_squared == pytest.approx(1010 * 1395**2 / 119_760_000)
    assert two.prr_met and two.chi_squared_met and two.ror_met and not two.count_met
    assert not two.evans and not two.by_ror and not two.signal


def test_a_prr_of_exactly_two_meets_the_threshold():
    # (20/200) / (100/2000) = 0.1 / 0.05 = 2 exactly
    # chi-squared = 2200·(|38000 − 18000| − 1100)² / (200·2000·120·2080)
    #             = 2200 · 18900² / 99,840,000,000 = 7.871
    exactly = is_signal(20, 180, 100, 1900)
    assert exactly.prr == 2.0
    assert exactly.chi_squared == pytest.approx(2200 * 18900**2 / 99_840_000_000)
    assert exactly.prr_met and exactly.evans
    # One more procedure without a reaction: (20/201) / 0.05 = 1.990, below the threshold.
    below = is_signal(20, 181, 100, 1900)
    assert below.prr == pytest.approx(1.99005, abs=1e-5)
    assert not below.prr_met and not below.evans


def test_a_chi_squared_below_four_is_no_evans_signal():
    # PRR = (10/100)/(50/1000) = 2, a = 10, but chi-squared
    #     = 1100·(|9500 − 4500| − 550)² / (100·1000·60·1040) = 1100 · 4450² / 6,240,000,000 = 3.49
    result = is_signal(10, 90, 50, 950)
    assert result.prr == 2.0 and result.count_met
    assert result.chi_squared == pytest.approx(1100 * 4450**2 / 6_240_000_000)
    assert not result.chi_squared_met and not result.evans


def test_the_result_is_frozen():
    result = is_signal(*EXAMPLE)
    with pytest.raises(AttributeError):
        result.a = 1
