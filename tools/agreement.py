"""The one comparison of computed values with reference values for tools/ scripts.

It matches the Swift side's ValueComparison (Sources/TinyGraph/Tensor): the error of
an element is |got - want|, but a NaN or an infinity where the reference is finite
(and a finite value where it is NaN or infinite) is an infinite error, and two arrays
of different lengths differ infinitely. Python's max() and numpy's comparisons let a
NaN pass (max(0.0, nan) is 0.0; nan > tol is False); this never does. Standard
library only; numpy arrays are flattened.
"""
import math
from dataclasses import dataclass


@dataclass
class Comparison:
    worst: float            # the largest element error (inf for a mismatch or a non-finite value)
    index: int | None       # where (None when every element agrees exactly, or the lengths differ)
    got: float | None
    want: float | None
    got_count: int
    want_count: int

    def within(self, tolerance):
        return self.worst <= tolerance

    def describe(self):
        if self.got_count != self.want_count:
            return f"{self.got_count} values where {self.want_count} were expected"
        if self.index is None:
            return f"all {self.got_count} values equal"
        return (f"worst error {self.worst:.3g} at element {self.index} of {self.got_count}: "
                f"got {self.got!r}, expected {self.want!r}")


def element_error(got, want):
    if math.isfinite(want):
        return abs(got - want) if math.isfinite(got) else math.inf
    if math.isnan(want):
        return 0.0 if math.isnan(got) else math.inf
    return 0.0 if got == want else math.inf


def _flat(values):
    return [float(v) for v in (values.ravel() if hasattr(values, "ravel") else values)]


def compare(got, want):
    got, want = _flat(got), _flat(want)
    if len(got) != len(want):
        return Comparison(math.inf, None, None, None, len(got), len(want))
    worst, where = 0.0, None
    for i, (g, w) in enumerate(zip(got, want)):
        error = element_error(g, w)
        if error > worst:
            worst, where = error, i
    return Comparison(worst, where, None if where is None else got[where], None if where is None else want[where],
                      len(got), len(want))


def quantized_steps(values, step):
    """Values in the quantized domain: each divided by the quantization step and
    rounded to the nearest integer. A NaN or an infinity stays one, so compare()
    still scores it as an infinite error."""
    result = []
    for v in _flat(values):
        scaled = v / step
        result.append(float(round(scaled)) if math.isfinite(scaled) else scaled)
    return result


def compare_quantized(got, want, step):
    """compare() in quantization steps: the worst error is how many steps apart the
    two quantized values are (outputs of quantized models, dequantized with the
    same step)."""
    return compare(quantized_steps(got, step), quantized_steps(want, step))


def top1(values):
    """The index of the largest finite value (the first on ties), or None."""
    best, where = -math.inf, None
    for i, v in enumerate(_flat(values)):
        if math.isfinite(v) and v > best:
            best, where = v, i
    return where


def fixture_tolerance(kind, want):
    """The engine's bar: 1e-5 absolute on probabilities, 1e-4 x max(1, max|reference|) on logits."""
    if kind == "probabilities":
        return 1e-5
    return 1e-4 * max([1.0] + [abs(w) for w in _flat(want) if math.isfinite(w)])
