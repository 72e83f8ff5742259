"""Renders any window of a synthetic lock still.

Every stage is a function of absolute still coordinates: the scene is made of
signed distance fields in door coordinates, light is analytic, random values
come from ``hashnoise``. Blur reads up to ``MARGIN`` pixels beyond the window,
and the window is rendered that much larger. So ``render_window`` over the
whole frame and over a sub-window give the same pixels where they overlap, and
the crops-only mode (``render_crop``) JPEG-encodes an MCU-aligned region around
the crop exactly as the full still would be encoded there.

Pipeline: still pixel -> lens (barrel distortion) -> camera roll and drift ->
door coordinates -> albedo (wall, frame, door, lever handle, locks, occluder)
-> light (day colour or infrared night grayscale) -> defocus blur -> sensor
noise -> 8 bits -> JPEG.
"""

import io
import math

import numpy as np
from PIL import Image

from . import hashnoise as hn
from .params import CROP, HEIGHT, WIDTH

F = np.float32
MARGIN = 8                      # pixels rendered beyond a window for the blur (sigma <= 2)
MCU = 16                        # 4:2:0 JPEG: 16x16 minimum coded units
CX, CY = (WIDTH - 1) / 2.0, (HEIGHT - 1) / 2.0
NORM = math.hypot(WIDTH / 2.0, HEIGHT / 2.0)


# ---------------------------------------------------------------- geometry

class Camera:
    """Maps still pixels to door coordinates for one scene and shot (and back, for one point)."""

    def __init__(self, scene, shot):
        self.k1, self.k2 = scene.k1, scene.k2
        self.s = scene.scale
        t = math.radians(shot.rotation)
        self.cos, self.sin = math.cos(t), math.sin(t)
        lx, ly = scene.lock_xy
        self.lock_still = (lx + shot.shift[0], ly + shot.shift[1])
        self.lock_scene = self._to_scene_point(*self.lock_still)

    def _lens(self, r2):
        return 1.0 + self.k1 * r2 + self.k2 * r2 * r2

    def _to_scene_point(self, x, y):
        f = self._lens(((x - CX) ** 2 + (y - CY) ** 2) / NORM ** 2)
        return CX + (x - CX) * f, CY + (y - CY) * f

    def to_door(self, X, Y):
        """Still pixel arrays -> door coordinate arrays (float32)."""
        dx = (X - F(CX)) * F(1.0 / NORM)
        dy = (Y - F(CY)) * F(1.0 / NORM)
        r2 = dx * dx + dy * dy
        f = F(1.0) + F(self.k1) * r2 + F(self.k2) * r2 * r2
        xs = dx * f * F(NORM) + F(CX - self.lock_scene[0])
        ys = dy * f * F(NORM) + F(CY - self.lock_scene[1])
        inv = F(1.0 / self.s)
        u = (F(self.cos) * xs + F(self.sin) * ys) * inv
        v = (F(-self.sin) * xs + F(self.cos) * ys) * inv
        return u, v

    def to_still(self, u, v):
        """One door point -> still pixel (inverts the lens with Newton steps)."""
        xs = self.lock_scene[0] + self.s * (self.cos * u - self.sin * v)
        ys = self.lock_scene[1] + self.s * (self.sin * u + self.cos * v)
        rs = math.hypot(xs - CX, ys - CY) / NORM
        if rs == 0:
            return CX, CY
        r = rs
        for _ in range(30):
            g = r * self._lens(r * r) - rs
            dg = 1 + 3 * self.k1 * r * r + 5 * self.k2 * r ** 4
            r -= g / dg
        k = r / rs
        return CX + (xs - CX) * k, CY + (ys - CY) * k


# ---------------------------------------------------------------- shapes

def sd_circle(u, v, r):
    return np.sqrt(u * u + v * v) - F(r)


def sd_round_box(u, v, hx, hy, r):
    qx = np.abs(u) - F(hx - r)
    qy = np.abs(v) - F(hy - r)
    ox = np.maximum(qx, F(0))
    oy = np.maximum(qy, F(0))
    return np.sqrt(ox * ox + oy * oy) + np.minimum(np.maximum(qx, qy), F(0)) - F(r)


def sd_segment(u, v, a, b, r):
    pax, pay = u - F(a[0]), v - F(a[1])
    bax, bay = b[0] - a[0], b[1] - a[1]
    h = np.clip((pax * F(bax) + pay * F(bay)) * F(1.0 / (bax * bax + bay * bay)), F(0), F(1))
    dx, dy = pax - F(bax) * h, pay - F(bay) * h
    return np.sqrt(dx * dx + dy * dy) - F(r)


def sd_bar(a, b, length, width, shape):
    """The turn's bar in its own frame (a along the bar)."""
    hl, hw = length / 2.0, width / 2.0
    if shape == "capsule":
        qa = np.maximum(np.abs(a) - F(hl - hw), F(0))
        return np.sqrt(qa * qa + b * b) - F(hw)
    if shape == "paddle":
        return sd_round_box(a, b, hl, hw, hw * 0.45)
    # bowtie: narrow waist, wide ends
    end = hl - hw
    t = np.clip(np.abs(a) * F(1.0 / end), F(0), F(1))
    qa = np.maximum(np.abs(a) - F(end), F(0))
    return np.sqrt(qa * qa + b * b) - (F(hw * 0.62) + F(hw * 0.38) * t)


def smoothstep(e0, e1, x):
    t = np.clip((x - F(e0)) * F(1.0 / (e1 - e0)), F(0), F(1))
    return t * t * (F(3) - F(2) * t)


def mix(img, colour, alpha):
    """img[..., c] += alpha * (colour[c] - img[..., c]); colour may be an array."""
    a = alpha[..., None]
    img += a * (colour - img)


# ---------------------------------------------------------------- drawing

class Canvas:
    """A window of the still: albedo image plus its door coordinates."""

    def __init__(self, camera, x0, y0, w, h):
        self.x0, self.y0, self.w, self.h = x0, y0, w, h
        xs = np.arange(x0, x0 + w, dtype=F)
        ys = np.arange(y0, y0 + h, dtype=F)
        self.X = np.ascontiguousarray(np.broadcast_to(xs[None, :], (h, w)))
        self.Y = np.ascontiguousarray(np.broadcast_to(ys[:, None], (h, w)))
        self.camera = camera
        self.u, self.v = camera.to_door(self.X, self.Y)
        self.img = np.zeros((h, w, 3), dtype=F)

    def region(self, centre_u, centre_v, radius):
        """Slices of the window that can hold an object of ``radius`` door units, or None."""
        px, py = self.camera.to_still(centre_u, centre_v)
        half = radius * self.camera.s + 6
        xa = max(int(math.floor(px - half)) - self.x0, 0)
        xb = min(int(math.ceil(px + half)) + 1 - self.x0, self.w)
        ya = max(int(math.floor(py - half)) - self.y0, 0)
        yb = min(int(math.ceil(py + half)) + 1 - self.y0, self.h)
        if xa >= xb or ya >= yb:
            return None
        return np.s_[ya:yb, xa:xb]


def shaded(colour, sdf, u, v, light, bevel, dome=None, shine=0.3, eps=0.75):
    """Colour of a raised metal part: bevelled edge, optional dome, diffuse + specular."""
    def height(uu, vv):
        h = smoothstep(0.0, bevel, -sdf(uu, vv))
        if dome is not None:
            h = h + dome(uu, vv)
        return h
    e = F(eps)
    hx = (height(u + e, v) - height(u - e, v)) * F(0.5 / eps)
    hy = (height(u, v + e) - height(u, v - e)) * F(0.5 / eps)
    k = F(2.2)
    nx, ny = -hx * k, -hy * k
    inv = F(1) / np.sqrt(nx * nx + ny * ny + F(1))
    lx, ly, lz = light[0] * 0.6, light[1] * 0.6, 0.8
    ndl = np.clip((nx * F(lx) + ny * F(ly) + F(lz)) * inv, F(0), F(1))
    hxv, hyv, hzv = lx, ly, lz + 1.0
    hn_ = math.sqrt(hxv * hxv + hyv * hyv + hzv * hzv)
    ndh = np.clip((nx * F(hxv / hn_) + ny * F(hyv / hn_) + F(hzv / hn_)) * inv, F(0), F(1))
    spec = F(shine) * ndh ** 24
    base = F(0.3) + F(0.72) * ndl
    return np.asarray(colour, dtype=F) * base[..., None] + spec[..., None]


def drop_shadow(img, sdf, u, v, light, offset, soft, depth):
    d = sdf(u + F(light[0] * offset), v + F(light[1] * offset))
    sh = np.clip(F(0.5) - d * F(1.0 / soft), F(0), F(1)) * F(depth)
    img *= (F(1) - sh)[..., None]


def coverage(d, aa):
    return np.clip(F(0.5) - d * F(1.0 / aa), F(0), F(1))


def draw_background(cv, scene):
    u, v, keys = cv.u, cv.v, scene.keys
    amt = scene.door_texture_amount
    if scene.door_texture == "wood":
        warp = hn.fractal_noise(keys["grain"], u * F(0.5), v * F(0.02), 6.0, 2)
        phase = u * F(1.0 / scene.grain_period) + F(3.0) * warp
        fine = hn.value_noise(keys["speck"], u, v * F(0.1), 2.0)
        tex = F(1) + F(amt) * (F(1.2) * np.sin(F(2 * math.pi) * phase) + (fine - F(0.5)))
    elif scene.door_texture == "metal":
        streak = hn.value_noise(keys["grain"], u * F(1.0 / 40), v * F(1.0 / 1.3), 1.0)
        tex = F(1) + F(amt) * F(1.6) * (streak - F(0.5))
    else:
        blotch = hn.fractal_noise(keys["door"], u, v, 90.0, 2)
        speck = hn.value_noise(keys["speck"], u, v, 2.0)
        tex = F(1) + F(amt) * ((blotch - F(0.5)) * F(1.2) + (speck - F(0.5)) * F(0.5))
    door = np.asarray(scene.door_colour, dtype=F) * tex[..., None]
    if scene.edge_side == 0:
        cv.img[...] = door
        return
    aa = 1.0 / scene.scale
    e = u * F(scene.edge_side)
    gap = 3.0
    f0 = scene.edge_u + gap
    wall_tex = F(1) + F(0.05) * (hn.fractal_noise(keys["wall"], u, v, 25.0, 2) - F(0.5))
    cv.img[...] = np.asarray(scene.wall_colour, dtype=F) * wall_tex[..., None]
    prof = F(1) + F(0.12) * np.cos(np.clip((e - F(f0)) * F(math.pi / scene.frame_w), F(0), F(math.pi)))
    mix(cv.img, np.asarray(scene.frame_colour, dtype=F) * prof[..., None], coverage(e - F(f0 + scene.frame_w), aa))
    mix(cv.img, np.asarray(scene.door_colour, dtype=F) * F(0.18), coverage(e - F(f0), aa))
    a = coverage(e - F(scene.edge_u), aa)
    cv.img += a[..., None] * (door - cv.img)


def draw_lock(cv, scene, lock, cu, cv_, bar_angle):
    """Escutcheon, hub and bar of one thumb-turn centred at door point (cu, cv_)."""
    extent = max(lock.plate_r, lock.plate_h, lock.bar_len / 2) + 12
    sl = cv.region(cu, cv_, extent)
    if sl is None:
        return
    u = cv.u[sl] - F(cu)
    v = cv.v[sl] - F(cv_)
    img = cv.img[sl]
    light = scene.light_dir
    aa = 1.0 / scene.scale

    if lock.plate == "round":
        def plate_sdf(uu, vv):
            return sd_circle(uu, vv, lock.plate_r)

        def plate_dome(uu, vv):
            r2 = (uu * uu + vv * vv) * F(1.0 / lock.plate_r ** 2)
            return F(lock.plate_dome) * np.clip(F(1) - r2, F(0), F(1))
    else:
        def plate_sdf(uu, vv):
            return sd_round_box(uu, vv, lock.plate_w, lock.plate_h, lock.plate_corner)
        plate_dome = None
    drop_shadow(img, plate_sdf, u, v, light, 3.0, 4.0, 0.35)
    col = shaded(lock.plate_colour, plate_sdf, u, v, light, 4.0, plate_dome, lock.shine)
    a = coverage(plate_sdf(u, v), aa)
    img += a[..., None] * (col - img)

    if lock.hub_r > 0:
        def hub_sdf(uu, vv):
            return sd_circle(uu, vv, lock.hub_r)
        drop_shadow(img, hub_sdf, u, v, light, 2.0, 2.5, 0.3)
        col = shaded(lock.bar_colour, hub_sdf, u, v, light, 2.5, None, lock.shine)
        a = coverage(hub_sdf(u, v), aa)
        img += a[..., None] * (col - img)

    t = math.radians(bar_angle)
    c, s = F(math.cos(t)), F(math.sin(t))

    def bar_sdf(uu, vv):
        return sd_bar(c * uu + s * vv, -s * uu + c * vv, lock.bar_len, lock.bar_w, lock.bar_shape)
    drop_shadow(img, bar_sdf, u, v, light, 4.5, 3.5, 0.45)
    col = shaded(lock.bar_colour, bar_sdf, u, v, light, lock.bar_w * 0.3, None, lock.shine)
    a = coverage(bar_sdf(u, v), aa)
    img += a[..., None] * (col - img)


def draw_handle(cv, scene):
    side = scene.edge_side if scene.edge_side != 0 else 1
    hu, hv = scene.handle_u, scene.handle_v
    tip = (hu - side * 105.0, hv + 4.0)
    sl = cv.region(hu - side * 50.0, hv, 80.0)
    if sl is None:
        return
    u, v, img = cv.u[sl], cv.v[sl], cv.img[sl]
    colour = scene.lock.plate_colour
    light = scene.light_dir
    aa = 1.0 / scene.scale

    def rose(uu, vv):
        return sd_circle(uu - F(hu), vv - F(hv), 27.0)

    def lever(uu, vv):
        return sd_segment(uu, vv, (hu, hv), tip, 9.0)
    for sdf, bevel, off in ((rose, 4.0, 3.0), (lever, 6.0, 8.0)):
        drop_shadow(img, sdf, u, v, light, off, 5.0, 0.4)
        col = shaded(colour, sdf, u, v, light, bevel, None, scene.lock.shine)
        img += coverage(sdf(u, v), aa)[..., None] * (col - img)


def hand_sdf(shot):
    """Fingers reaching towards the lock from direction occ_angle; nearest skin at occ_dist."""
    w = (math.cos(shot.occ_angle), math.sin(shot.occ_angle))
    t = (-w[1], w[0])
    k = 1.5 * shot.occ_size  # a finger is about a third of the rose's diameter
    r = 8.5 * k
    parts = []
    for off, stagger, length in ((-27, 10, 48), (-9, 0, 56), (9, 3, 54), (27, 14, 44)):
        d0 = shot.occ_dist + r + stagger * k
        tip = (w[0] * d0 + t[0] * off * k, w[1] * d0 + t[1] * off * k)
        base = (tip[0] + w[0] * length * k, tip[1] + w[1] * length * k)
        parts.append(("seg", tip, base, r))
    palm_d = shot.occ_dist + r + 95 * k
    parts.append(("circle", (w[0] * palm_d, w[1] * palm_d), 46 * k))
    th0 = (w[0] * (palm_d - 10 * k) + t[0] * 48 * k, w[1] * (palm_d - 10 * k) + t[1] * 48 * k)
    th1 = (th0[0] - w[0] * 30 * k + t[0] * 14 * k, th0[1] - w[1] * 30 * k + t[1] * 14 * k)
    parts.append(("seg", th0, th1, 10 * k))
    arm0 = (w[0] * palm_d, w[1] * palm_d)
    arm1 = (w[0] * (palm_d + 400), w[1] * (palm_d + 400))
    parts.append(("seg", arm0, arm1, 38 * k))
    centre = (w[0] * (shot.occ_dist + 80 * k), w[1] * (shot.occ_dist + 80 * k))

    def sdf(uu, vv):
        d = None
        for p in parts:
            if p[0] == "seg":
                di = sd_segment(uu, vv, p[1], p[2], p[3])
            else:
                di = sd_circle(uu - F(p[1][0]), vv - F(p[1][1]), p[2])
            d = di if d is None else np.minimum(d, di)
        return d
    return sdf, centre, 520 * k + 80


def draw_occluder(cv, scene, shot):
    light = scene.light_dir
    if shot.occlusion == "hand":
        sdf, centre, radius = hand_sdf(shot)
        sl = cv.region(centre[0], centre[1], radius)
        if sl is None:
            return
        u, v, img = cv.u[sl], cv.v[sl], cv.img[sl]
        drop_shadow(img, sdf, u, v, light, 14.0, 10.0, 0.35)
        d = sdf(u, v)
        shade = F(0.72) + F(0.38) * smoothstep(0.0, 8.0, -d)
        col = np.asarray(shot.occ_colour, dtype=F) * shade[..., None]
        img += coverage(d, 2.5)[..., None] * (col - img)
    elif shot.occlusion == "coat":
        u, v, img = cv.u, cv.v, cv.img
        w = (math.cos(shot.occ_angle), math.sin(shot.occ_angle))
        amp, freq, phase = shot.occ_wobble
        along = u * F(w[0]) + v * F(w[1])
        across = u * F(-w[1]) + v * F(w[0])
        # The coat's edge: a half-plane with long folds, never nearer than occ_dist.
        inside = along - F(shot.occ_dist + amp) - F(amp) * np.sin(across * F(freq) + F(phase))
        soft = 3.0 + 4.0 * shot.occ_size
        sh = np.clip(F(0.5) + (inside + F(12.0)) * F(1.0 / 14.0), F(0), F(1)) * F(0.3)
        img *= (F(1) - sh)[..., None]
        folds = F(0.85) + F(0.15) * np.sin(across * F(0.045) + F(0.8) * np.sin(along * F(0.02)))
        weave = F(0.93) + F(0.14) * hn.value_noise(shot.key + 5, u, v, 1.6)
        col = np.asarray(shot.occ_colour, dtype=F) * (folds * weave)[..., None]
        a = np.clip(F(0.5) + inside * F(1.0 / soft), F(0), F(1))
        img += a[..., None] * (col - img)


def lighting(cv, scene, shot):
    """Turn albedo into the camera's linear-ish signal (in place)."""
    X, Y = cv.X, cv.Y
    dx, dy = X - F(CX), Y - F(CY)
    vig = F(1) - F(shot.vignette) * (dx * dx + dy * dy) * F(1.0 / NORM ** 2)
    light = vig
    present, ang, off, pen, depth = shot.cast_shadow
    if present:
        lx, ly = cv.camera.lock_still
        e = (X - F(lx)) * F(math.cos(ang)) + (Y - F(ly)) * F(math.sin(ang)) - F(off)
        light = light * (F(1) - F(depth) * smoothstep(-pen, pen, e))
    if shot.condition == "night":
        w = scene.ir_weights
        img = cv.img
        gray = F(scene.ir_offset) + F(scene.ir_gain) * (img[..., 0] * F(w[0]) + img[..., 1] * F(w[1])
                                                        + img[..., 2] * F(w[2]))
        hx, hy = scene.hotspot
        sig = shot.ir_sigma * WIDTH
        hot = np.exp(-((X - F(hx)) ** 2 + (Y - F(hy)) ** 2) * F(1.0 / (2 * sig * sig)))
        ir = F(shot.ir_base) + F(1 - shot.ir_base) * hot
        val = gray * (light * ir) * F(shot.exposure) + F(shot.haze)
        cv.img = val[..., None]  # one channel until the end: R = G = B
        return
    ga, gs = shot.gradient
    grad = F(1) + F(gs) * (dx * F(math.cos(ga)) + dy * F(math.sin(ga))) * F(1.0 / (WIDTH / 2))
    px, py, ps, pa = shot.pool
    pool = F(1) + F(pa) * np.exp(-((X - F(px)) ** 2 + (Y - F(py)) ** 2) * F(1.0 / (2 * ps * ps)))
    light = light * grad * pool * F(shot.exposure)
    wb = np.asarray(shot.white_balance, dtype=F)
    cv.img *= light[..., None] * wb
    cv.img += F(shot.haze)


def gaussian_blur(img, sigma, margin):
    """Separable Gaussian; returns the window without its margin."""
    h, w = img.shape[0] - 2 * margin, img.shape[1] - 2 * margin
    if sigma < 0.25:
        return img[margin:margin + h, margin:margin + w]
    r = min(int(math.ceil(3 * sigma)), margin)
    k = np.exp(-(np.arange(-r, r + 1) ** 2) / (2 * sigma * sigma))
    k = (k / k.sum()).astype(F)
    tmp = np.zeros((img.shape[0], w, img.shape[2]), dtype=F)
    for j in range(2 * r + 1):
        tmp += k[j] * img[:, margin - r + j:margin - r + j + w]
    out = np.zeros((h, w, img.shape[2]), dtype=F)
    for j in range(2 * r + 1):
        out += k[j] * tmp[margin - r + j:margin - r + j + h]
    return out


def render_window(scene, shot, x0, y0, w, h):
    """8-bit RGB pixels of the still's window [x0, x0+w) x [y0, y0+h), before JPEG."""
    camera = Camera(scene, shot)
    m = MARGIN
    cv = Canvas(camera, x0 - m, y0 - m, w + 2 * m, h + 2 * m)
    draw_background(cv, scene)
    if scene.handle:
        draw_handle(cv, scene)
    if scene.second_lock:
        draw_lock(cv, scene, scene.lock, 0.0, scene.second_v, shot.second_bar_angle)
    draw_lock(cv, scene, scene.lock, 0.0, 0.0, shot.bar_angle)
    draw_occluder(cv, scene, shot)
    lighting(cv, scene, shot)
    img = gaussian_blur(cv.img, shot.blur, m)
    X = cv.X[m:m + h, m:m + w].astype(np.int64)
    Y = cv.Y[m:m + h, m:m + w].astype(np.int64)
    lum = np.clip(img[..., img.shape[2] // 2], F(0), F(1))
    sigma = F(shot.noise) * (F(0.55) + F(0.9) * np.sqrt(lum))
    out = img * F(255) + (hn.gaussian(shot.key, X, Y) * sigma)[..., None]
    if out.shape[2] == 1:
        out = np.repeat(out, 3, axis=2)
    if shot.chroma_noise > 0:
        out[..., 0] += hn.gaussian(shot.key + 1, X, Y) * F(shot.chroma_noise)
        out[..., 2] += hn.gaussian(shot.key + 2, X, Y) * F(shot.chroma_noise)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- JPEG

def encode_jpeg(pixels, quality):
    """Baseline JPEG, 4:2:0, libjpeg-turbo's defaults otherwise (Pillow)."""
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="JPEG", quality=int(quality), subsampling=2)
    return buf.getvalue()


def decode_rgb(data):
    """Full decode with libjpeg-turbo's defaults (islow IDCT, fancy upsampling) to RGB uint8."""
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def render_still(scene, shot):
    """The 1920x1080 still as JPEG bytes."""
    return encode_jpeg(render_window(scene, shot, 0, 0, WIDTH, HEIGHT), shot.jpeg_quality)


def mcu_region(x, y, w, h):
    """The MCU-aligned region (clamped to the frame) that contains the box with a 2-pixel
    ring, so the decoder's chroma upsampling at the region's edge never reaches the box."""
    x0 = max((x - 2) // MCU * MCU, 0)
    y0 = max((y - 2) // MCU * MCU, 0)
    x1 = min(-(-(x + w + 2) // MCU) * MCU, WIDTH)
    y1 = min(-(-(y + h + 2) // MCU) * MCU, HEIGHT)
    return x0, y0, x1 - x0, y1 - y0


def render_crop(scene, shot):
    """Only the crop (RGB uint8 CROPxCROP), as it would be cut from the decoded full still.

    Renders the MCU-aligned region around the crop, encodes it with the still's
    JPEG settings, decodes and cuts. Baseline JPEG codes each 8x8 block on its own
    and 4:2:0 downsampling stays inside its 2x2 cell, so the region's blocks are
    the still's blocks; ``tools/generate_lock_scenes.py selftest`` checks it.
    """
    x, y = scene.crop_x, scene.crop_y
    rx, ry, rw, rh = mcu_region(x, y, CROP, CROP)
    pixels = render_window(scene, shot, rx, ry, rw, rh)
    rgb = decode_rgb(encode_jpeg(pixels, shot.jpeg_quality))
    return rgb[y - ry:y - ry + CROP, x - rx:x - rx + CROP]
