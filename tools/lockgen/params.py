"""What a synthetic still shows, sampled from a seed.

A ``Scene`` is the installation: the door, the lock hardware, where the camera
sits (pose, lens distortion). A ``Shot`` is one moment: the lock's state, day or
infrared night, the light, an occluder, blur, sensor noise and JPEG quality.
Training and evaluation stills each draw a new scene and shot; a ``story``
(the shipped samples) keeps one scene and changes the shot, as a fixed camera
would see it.

Geometry conventions: still pixels are indexed (x right, y down) with pixel
centres on integers. The crop box is 128x128 at its top-left (crop_x, crop_y),
like ImageMagick's ``128x128+650+378``; the lock's turn is centred in it (before
the shot's small camera shift). Door units are roughly pixels at scale 1; the
turn's centre is the origin of the door's coordinates.
"""

from dataclasses import asdict, dataclass, field
import math

import numpy as np

WIDTH, HEIGHT = 1920, 1080
CROP = 128
SEED_CROP = (650, 378)  # the seed article's crop: 128x128+650+378

# Bar orientations: which one means "open" is configurable (--open-bar). The
# default, horizontal = open and vertical = closed, is the seed's door (a common
# Japanese thumb-turn: turned across = unlocked, upright = locked).
STATES = ("close", "open")
CONDITIONS = ("day", "night")
OCCLUSIONS = ("none", "hand", "coat")

DOOR_COLOURS = [
    (0.88, 0.87, 0.84), (0.85, 0.80, 0.70), (0.70, 0.70, 0.70), (0.30, 0.31, 0.33),
    (0.11, 0.11, 0.12), (0.62, 0.45, 0.30), (0.35, 0.22, 0.14), (0.16, 0.21, 0.33),
    (0.26, 0.36, 0.29), (0.45, 0.19, 0.13), (0.55, 0.52, 0.47),
]
WALL_COLOURS = [(0.90, 0.89, 0.86), (0.84, 0.80, 0.72), (0.75, 0.75, 0.74), (0.93, 0.93, 0.92)]
METALS = [
    (0.80, 0.80, 0.82), (0.63, 0.63, 0.64), (0.80, 0.64, 0.32), (0.42, 0.31, 0.21),
    (0.13, 0.13, 0.13), (0.90, 0.90, 0.88), (0.76, 0.69, 0.53), (0.50, 0.50, 0.52),
]
SKINS = [(0.87, 0.68, 0.56), (0.76, 0.56, 0.44), (0.58, 0.40, 0.29), (0.40, 0.27, 0.20)]
FABRICS = [(0.08, 0.09, 0.12), (0.15, 0.18, 0.30), (0.45, 0.40, 0.30), (0.35, 0.35, 0.36),
           (0.50, 0.12, 0.12), (0.70, 0.68, 0.62), (0.20, 0.28, 0.20)]


def _jitter(rng, colour, amount):
    c = np.asarray(colour) * (1.0 + rng.uniform(-amount, amount)) + rng.uniform(-amount, amount, 3) * 0.5
    return tuple(float(v) for v in np.clip(c, 0.02, 0.98))


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


@dataclass
class Lock:
    """One thumb-turn: escutcheon plate, hub and bar (door units)."""
    plate: str                 # "round" rose or "rect" plate
    plate_r: float             # rose radius (round)
    plate_w: float             # plate half-width (rect)
    plate_h: float             # plate half-height (rect)
    plate_corner: float
    plate_colour: tuple
    plate_dome: float          # how domed the rose is (shading)
    shine: float               # specular strength
    bar_len: float             # full length of the turn's bar
    bar_w: float               # full width
    bar_shape: str             # capsule, paddle, bowtie
    bar_colour: tuple
    hub_r: float               # round hub under the bar (0: none)


@dataclass
class Scene:
    """The installation: door, lock, camera pose and lens. Constant for a fixed camera."""
    crop_x: int
    crop_y: int
    k1: float                  # barrel distortion: scene = still * (1 + k1 r^2 + k2 r^4), r over half-diagonal
    k2: float
    scale: float               # still pixels per door unit
    door_colour: tuple
    door_texture: str          # paint, wood, metal
    door_texture_amount: float
    grain_period: float
    edge_side: int             # +1: the door's edge is right of the lock, -1: left, 0: not near
    edge_u: float              # distance from the turn to the door edge (door units)
    frame_w: float
    frame_colour: tuple
    wall_colour: tuple
    lock: Lock
    handle: bool
    handle_v: float
    handle_u: float
    second_lock: bool
    second_v: float
    light_dir: tuple           # key light direction in the door plane (unit vector, towards the light)
    ir_weights: tuple          # how each channel's albedo shows up in near infrared
    ir_offset: float
    ir_gain: float
    hotspot: tuple             # IR illuminator's hot spot centre (still pixels)
    keys: dict = field(default_factory=dict)  # hash keys for textures

    @property
    def lock_xy(self):
        """The turn's nominal centre in the still (centre of the crop box)."""
        return (self.crop_x + (CROP - 1) / 2.0, self.crop_y + (CROP - 1) / 2.0)


@dataclass
class Shot:
    """One moment seen by the camera."""
    state: str                 # "open" or "close"
    bar_angle: float           # degrees in the door plane: 0 horizontal, 90 vertical
    second_bar_angle: float
    condition: str             # "day" or "night"
    shift: tuple               # camera drift: where the turn lands relative to the crop centre (px)
    rotation: float            # camera roll about the turn (degrees)
    exposure: float
    white_balance: tuple
    gradient: tuple            # (angle rad, strength)
    pool: tuple                # (x, y, sigma, strength) bright light pool (still px)
    cast_shadow: tuple         # (present, angle rad, offset px, penumbra px, depth)
    vignette: float
    ir_sigma: float            # hot spot width (fraction of width)
    ir_base: float             # illumination far from the hot spot
    haze: float
    blur: float                # Gaussian sigma (px)
    noise: float               # sensor noise sigma (0-255 units)
    chroma_noise: float
    jpeg_quality: int
    occlusion: str             # none, hand, coat
    occ_angle: float           # direction from the turn to the occluder (rad, door plane)
    occ_dist: float            # closest approach to the turn's centre (door units)
    occ_colour: tuple
    occ_size: float
    occ_wobble: tuple          # coat edge: (amplitude, frequency, phase)
    key: int                   # hash key for this shot's noise


def sample_lock(rng, scale_hint=1.0):
    plate = "round" if rng.random() < 0.6 else "rect"
    plate_r = float(rng.uniform(34, 46))
    plate_w = float(rng.uniform(24, 31))
    plate_h = float(rng.uniform(50, 72))
    if plate == "round":
        bar_len = float(2 * plate_r * rng.uniform(0.72, 0.96))
    else:
        bar_len = float(2 * plate_w * rng.uniform(0.95, 1.35))
    bar_w = float(bar_len * rng.uniform(0.20, 0.32))
    plate_colour = _jitter(rng, _pick(rng, METALS), 0.06)
    if rng.random() < 0.6:
        bar_colour = _jitter(rng, plate_colour, 0.04)
    else:
        bar_colour = _jitter(rng, _pick(rng, METALS), 0.06)
    return Lock(
        plate=plate, plate_r=plate_r, plate_w=plate_w, plate_h=plate_h,
        plate_corner=float(rng.uniform(4, 18)), plate_colour=plate_colour,
        plate_dome=float(rng.uniform(0.0, 0.6)), shine=float(rng.uniform(0.1, 0.7)),
        bar_len=bar_len, bar_w=bar_w, bar_shape=_pick(rng, ("capsule", "paddle", "bowtie")),
        bar_colour=bar_colour, hub_r=float(bar_w * rng.uniform(0.55, 1.05)) if rng.random() < 0.7 else 0.0,
    )


def random_crop_position(rng):
    """A crop box anywhere a lock could plausibly be (room left for a handle below)."""
    return int(rng.integers(160, WIDTH - 160 - CROP)), int(rng.integers(120, HEIGHT - 260 - CROP))


def sample_scene(rng, crop_position=SEED_CROP):
    """Draw an installation. ``crop_position`` is (x, y) or "random"."""
    if crop_position == "random":
        crop_x, crop_y = random_crop_position(rng)
    else:
        crop_x, crop_y = (int(v) for v in crop_position)
    texture = _pick(rng, ("paint", "paint", "wood", "metal"))
    door = _pick(rng, DOOR_COLOURS)
    if texture == "wood" and rng.random() < 0.7:
        door = _pick(rng, DOOR_COLOURS[5:7])
    edge_side = int(_pick(rng, (-1, 1, 1, 0)))
    angle = rng.uniform(-math.pi * 0.95, -math.pi * 0.05)  # light from above, left or right
    ir_w = rng.dirichlet((4.0, 4.0, 4.0))
    keys = {name: int(rng.integers(1, 2**31)) for name in ("door", "wall", "frame", "grain", "speck")}
    return Scene(
        crop_x=crop_x, crop_y=crop_y,
        k1=float(rng.uniform(0.08, 0.30)), k2=float(rng.uniform(0.0, 0.08)),
        scale=float(rng.uniform(0.85, 1.15)),
        door_colour=_jitter(rng, door, 0.06), door_texture=texture,
        door_texture_amount=float(rng.uniform(0.02, 0.12)), grain_period=float(rng.uniform(6, 18)),
        edge_side=edge_side, edge_u=float(rng.uniform(55, 190)), frame_w=float(rng.uniform(25, 70)),
        frame_colour=_jitter(rng, door if rng.random() < 0.5 else _pick(rng, METALS), 0.05),
        wall_colour=_jitter(rng, _pick(rng, WALL_COLOURS), 0.04),
        lock=sample_lock(rng),
        handle=bool(rng.random() < 0.8), handle_v=float(rng.uniform(150, 230)),
        handle_u=float(rng.uniform(-15, 15)),
        second_lock=bool(rng.random() < 0.4), second_v=float(-rng.uniform(230, 330)),
        light_dir=(float(math.cos(angle)), float(math.sin(angle))),
        ir_weights=tuple(float(v) for v in ir_w), ir_offset=float(rng.uniform(0.06, 0.25)),
        ir_gain=float(rng.uniform(0.45, 0.85)),
        hotspot=(float(WIDTH / 2 + rng.uniform(-250, 250)), float(HEIGHT / 2 + rng.uniform(-150, 150))),
        keys=keys,
    )


def bar_angle_for(state, open_bar, rng):
    horizontal = (state == "open") == (open_bar == "horizontal")
    return (0.0 if horizontal else 90.0) + float(rng.uniform(-4, 4))


def sample_shot(rng, scene, state=None, condition=None, occlusion=None, open_bar="horizontal",
                night_fraction=0.5, occlusion_fraction=0.2, drift=10.0, roll=8.0, camera_roll=0.0):
    """Draw one moment. ``state``/``condition``/``occlusion`` None means random. The
    camera's roll is ``camera_roll`` (how it is mounted) plus up to +-``roll`` degrees."""
    state = state or _pick(rng, STATES)
    if condition is None:
        condition = "night" if rng.random() < night_fraction else "day"
    if occlusion is None:
        occlusion = "none" if rng.random() >= occlusion_fraction else _pick(rng, ("hand", "coat"))
    night = condition == "night"
    half_bar = scene.lock.bar_len / 2
    if occlusion == "hand":
        occ_colour = _jitter(rng, _pick(rng, SKINS), 0.05)
        occ_dist = float(half_bar * rng.uniform(0.55, 1.3))
    elif occlusion == "coat":
        occ_colour = _jitter(rng, _pick(rng, FABRICS), 0.05)
        occ_dist = float(half_bar * rng.uniform(0.5, 1.2))
    else:
        occ_colour, occ_dist = (0.0, 0.0, 0.0), 0.0
    wb_t = rng.uniform(-0.12, 0.15)
    shadow_present = rng.random() < (0.12 if night else 0.4)
    lx, ly = scene.lock_xy
    return Shot(
        state=state, bar_angle=bar_angle_for(state, open_bar, rng),
        second_bar_angle=float(_pick(rng, (0.0, 90.0)) + rng.uniform(-4, 4)),
        condition=condition,
        shift=(float(rng.uniform(-drift, drift)), float(rng.uniform(-drift, drift))),
        rotation=float(camera_roll + rng.uniform(-roll, roll)),
        exposure=float(rng.uniform(0.7, 1.4) if night else rng.uniform(0.5, 1.15)),
        white_balance=tuple(float(v) for v in np.array([1 + wb_t, 1.0, 1 - wb_t]) * rng.uniform(0.96, 1.04, 3)),
        gradient=(float(rng.uniform(0, 2 * math.pi)), float(rng.uniform(0, 0.35))),
        pool=(float(lx + rng.uniform(-500, 500)), float(ly + rng.uniform(-400, 400)),
              float(rng.uniform(120, 600)), float(rng.uniform(0, 0.4))),
        cast_shadow=(bool(shadow_present), float(rng.uniform(0, 2 * math.pi)), float(rng.uniform(-150, 150)),
                     float(rng.uniform(4, 80)), float(rng.uniform(0.25, 0.6))),
        vignette=float(rng.uniform(0.25, 0.6) if night else rng.uniform(0.08, 0.35)),
        ir_sigma=float(rng.uniform(0.3, 0.75)), ir_base=float(rng.uniform(0.2, 0.55)),
        haze=float(rng.uniform(0.02, 0.10) if night else rng.uniform(0.0, 0.03)),
        blur=float(rng.uniform(0.4, 1.8) if night else rng.uniform(0.0, 1.5)),
        noise=float(rng.uniform(3.0, 9.0) if night else rng.uniform(0.8, 3.5)),
        chroma_noise=0.0 if night else float(rng.uniform(0.3, 1.5)),
        jpeg_quality=int(rng.integers(40, 91) if night else rng.integers(45, 93)),
        occlusion=occlusion, occ_angle=float(rng.uniform(0, 2 * math.pi)), occ_dist=occ_dist,
        occ_colour=occ_colour, occ_size=float(rng.uniform(0.85, 1.2)),
        occ_wobble=(float(rng.uniform(3, 20)), float(rng.uniform(0.004, 0.02)), float(rng.uniform(0, 2 * math.pi))),
        key=int(rng.integers(1, 2**31)),
    )


def describe(scene, shot):
    """Flat dict for manifests."""
    return {
        "state": shot.state, "condition": shot.condition, "occlusion": shot.occlusion,
        "bar": "horizontal" if abs(shot.bar_angle) < 45 else "vertical",
        "crop_x": scene.crop_x, "crop_y": scene.crop_y, "crop_w": CROP, "crop_h": CROP,
        "shift_x": round(shot.shift[0], 2), "shift_y": round(shot.shift[1], 2),
        "rotation": round(shot.rotation, 2), "blur": round(shot.blur, 2), "noise": round(shot.noise, 2),
        "jpeg_quality": shot.jpeg_quality, "cast_shadow": int(shot.cast_shadow[0]),
        "plate": scene.lock.plate, "bar_shape": scene.lock.bar_shape, "door": scene.door_texture,
    }


def to_json(obj):
    return asdict(obj)
