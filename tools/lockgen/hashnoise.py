"""Counter-based noise: a pure function of (key, integer coordinates).

A still can be rendered whole or one window at a time; because every random
value here depends only on absolute coordinates and a key, both give the same
pixels. Nothing keeps state.
"""

import numpy as np

_M1 = np.uint32(0x7FEB352D)
_M2 = np.uint32(0x846CA68B)
_PRIMES = (np.uint32(0x8DA6B343), np.uint32(0xD8163841), np.uint32(0xCB1AB31F), np.uint32(0x9E3779B1))


def _mix(h):
    """lowbias32 finaliser (Chris Wellons): a good 32-bit avalanche."""
    h = h ^ (h >> np.uint32(16))
    h = h * _M1
    h = h ^ (h >> np.uint32(15))
    h = h * _M2
    h = h ^ (h >> np.uint32(16))
    return h


def hash_u32(key, *coords):
    """Hash integer coordinate arrays (broadcast together) with an integer key."""
    h = np.uint32(key & 0xFFFFFFFF)
    with np.errstate(over="ignore"):
        h = _mix(np.asarray(h, dtype=np.uint32) ^ np.uint32(0x5BD1E995))
        for i, c in enumerate(coords):
            c = np.asarray(c).astype(np.int64).astype(np.uint32)  # two's complement wrap for negatives
            h = _mix(h ^ (c * _PRIMES[i % 4]))
    return h


def uniform(key, *coords):
    """Uniform float32 in [0, 1) per coordinate."""
    return (hash_u32(key, *coords) >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / (1 << 24))


def gaussian(key, *coords):
    """Approximately standard normal float32 per coordinate (Irwin-Hall of the hash's 4 bytes)."""
    h = hash_u32(key, *coords)
    s = (h & np.uint32(0xFF)) + ((h >> np.uint32(8)) & np.uint32(0xFF)) \
        + ((h >> np.uint32(16)) & np.uint32(0xFF)) + (h >> np.uint32(24))
    # Four uniform bytes: mean 510, variance 4 * (256^2 - 1) / 12.
    return (s.astype(np.float32) - np.float32(510.0)) * np.float32(1.0 / 147.80)


def value_noise(key, x, y, cell):
    """Smooth value noise in [0, 1) at float coordinates, lattice spacing ``cell``.

    The lattice values are hashed from absolute lattice coordinates, so the
    result at a point does not depend on which other points are evaluated.
    """
    fx = x * np.float32(1.0 / cell)
    fy = y * np.float32(1.0 / cell)
    ix = np.floor(fx)
    iy = np.floor(fy)
    tx = fx - ix
    ty = fy - iy
    tx = tx * tx * (np.float32(3.0) - np.float32(2.0) * tx)
    ty = ty * ty * (np.float32(3.0) - np.float32(2.0) * ty)
    ix = ix.astype(np.int32)
    iy = iy.astype(np.int32)
    # Hash only the lattice points the window touches, then gather from a flat table.
    x_lo, x_hi = int(ix.min()), int(ix.max()) + 1
    y_lo, y_hi = int(iy.min()), int(iy.max()) + 1
    stride = x_hi - x_lo + 1
    gx = np.arange(x_lo, x_hi + 1)[None, :]
    gy = np.arange(y_lo, y_hi + 1)[:, None]
    lattice = uniform(key, gx, gy).ravel()
    idx = (iy - np.int32(y_lo)) * np.int32(stride) + (ix - np.int32(x_lo))
    v00 = lattice.take(idx)
    v10 = lattice.take(idx + 1)
    idx += np.int32(stride)
    v01 = lattice.take(idx)
    v11 = lattice.take(idx + 1)
    a = v00 + (v10 - v00) * tx
    b = v01 + (v11 - v01) * tx
    return a + (b - a) * ty


def fractal_noise(key, x, y, cell, octaves=3):
    """Sum of value-noise octaves (cell, cell/2, ...) normalised to [0, 1)."""
    total = np.zeros(np.broadcast(x, y).shape, dtype=np.float32)
    amp, norm = 1.0, 0.0
    for o in range(octaves):
        total += np.float32(amp) * value_noise(key + 7919 * o, x, y, cell / (2 ** o))
        norm += amp
        amp *= 0.5
    return total * np.float32(1.0 / norm)
