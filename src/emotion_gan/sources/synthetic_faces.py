"""Procedural 48×48 grayscale faces with the seven FER2013 expressions — the embedded default data.

Why: the project must run end to end offline, without FER2013. These faces stand in for it. They
are drawn, not sampled from a model, so they are deterministic from a seed and cost no download.
To make the paper's experiments meaningful on them, the expressions differ the way real ones do
(facial action units, Ekman's FACS):

* angry    — brows lowered, inner ends pulled down and together (glabella furrows), eyes narrowed,
             lips pressed thin;
* disgust  — upper lip raised (upper teeth show), nose wrinkled and nostrils lifted, deep
             nasolabial folds, brows slightly lowered, eyes narrowed;
* fear     — brows raised and drawn together, eyes wide, mouth stretched sideways and slightly open;
* happy    — mouth corners pulled up in a wide smile with teeth, cheeks raised, eyes squinting;
* sad      — inner brow ends raised (oblique brows), mouth corners down, eyelids drooping;
* surprise — brows raised and arched (forehead wrinkles), eyes wide, jaw dropped in an open "O";
* neutral  — none of the above.

and, like real photographs, each face has its own identity (head shape, position, scale, roll,
skin and background tone, lighting gradient, hair line, feature sizes and spacing), its own
expression intensity (weak expressions look neutral, so classes overlap), blur and noise. The
defaults are tuned so that the paper's baseline CNN is neither perfect nor hopeless on a 20 %
sample; the ``difficulty`` keywords of :func:`render_faces` move that point.

Everything is vectorised over faces with numpy; no Kedro, no files.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from emotion_gan.stats.rounding import largest_remainder
from emotion_gan.vocabulary import EMOTIONS, IMAGE_SIZE, NUM_CLASSES

#: Images per class in FER2013's ``Training`` usage (Kaggle CSV); the synthetic default keeps
#: this imbalance, disgust being the rare class the paper augments.
FER2013_TRAINING_COUNTS: dict[str, int] = {
    "angry": 3995,
    "disgust": 436,
    "fear": 4097,
    "happy": 7215,
    "sad": 4830,
    "surprise": 3171,
    "neutral": 4965,
}
_FER2013_TRAINING_TOTAL = sum(FER2013_TRAINING_COUNTS.values())  # 28,709

#: Share of each class in FER2013 ``Training`` (disgust ≈ 1.5 %, happy ≈ 25 %).
FER2013_TRAINING_PROPORTIONS: dict[str, float] = {
    name: count / _FER2013_TRAINING_TOTAL for name, count in FER2013_TRAINING_COUNTS.items()
}

# Faces are rendered in batches of this many so the (n, 48, 48) float32 temporaries stay in
# cache (side by side: 16–32 per batch were fastest, 256 took 1.8× as long). The texture and
# noise stream is drawn per batch, so changing this changes the bytes of every seed.
_CHUNK = 32

# How far each expression moves each facial parameter at full intensity, in face units (1 unit ≈
# half the face width; +v is down) unless said otherwise. Columns follow EMOTIONS:
#                      angry  disgust fear   happy  sad    surprise neutral
# fmt: off
_EXPRESSION_DELTAS: dict[str, tuple[float, ...]] = {
    "brow_inner_dy":   (0.10,  0.07, -0.10, -0.01, -0.08, -0.12, 0.0),
    "brow_outer_dy":   (-0.01, 0.03, -0.05, -0.01,  0.03, -0.11, 0.0),
    "brow_inner_dx":   (-0.05, -0.03, -0.03, 0.0,  -0.01,  0.0,  0.0),
    "brow_arch":       (-0.02, -0.01, -0.02, 0.0,  -0.02,  0.05, 0.0),
    "glabella":        (1.0,   0.6,   0.3,   0.0,   0.3,   0.0,  0.0),   # vertical furrows
    "forehead":        (0.0,   0.0,   0.6,   0.0,   0.3,   1.0,  0.0),   # horizontal wrinkles
    "eye_open":        (-0.35, -0.45, 0.55, -0.25, -0.2,   0.65, 0.0),   # relative change
    "lower_lid":       (0.3,   0.3,   0.0,   0.4,   0.0,   0.0,  0.0),   # lower lid raised
    "nose_wrinkle":    (0.1,   1.3,   0.0,   0.1,   0.0,   0.0,  0.0),
    "nostril_raise":   (0.01,  0.05,  0.0,   0.02,  0.0,   0.0,  0.0),
    "nasolabial":      (0.1,   0.8,   0.2,   0.8,   0.2,   0.0,  0.0),   # fold depth
    "cheek":           (0.0,   0.2,   0.0,   1.3,   0.0,   0.0,  0.0),   # cheek raise highlight
    "mouth_width":     (-0.12, -0.05, 0.25,  0.22, -0.05, -0.30, 0.0),   # relative change
    "mouth_corner":    (0.01,  0.05,  0.03, -0.15,  0.07,  0.0,  0.0),   # +down, -up
    "mouth_dy":        (0.0,  -0.03,  0.01, -0.01,  0.02,  0.04, 0.0),
    "mouth_open":      (0.0,   0.015, 0.04,  0.08,  0.0,   0.16, 0.0),
    "mouth_drop":      (0.0,   0.0,   0.0,   0.8,   0.0,   0.3,  0.0),   # opening hangs below
    "mouth_squareness": (0.0,  0.0,   1.0,   0.0,   0.0,   0.0,  0.0),   # stretched, flat opening
    "upper_lip_raise": (0.0,   0.09,  0.01,  0.01,  0.0,   0.0,  0.0),
    "lip_press":       (0.7,   0.1,   0.3,   0.3,   0.2,   0.3,  0.0),   # thinner lips
    "teeth":           (0.0,   0.9,   0.6,   1.0,   0.0,   0.4,  0.0),
    "jaw_drop":        (0.0,   0.0,   0.03,  0.02,  0.0,   0.12, 0.0),
}
# fmt: on
# Parameters that measure the presence of a feature: they cannot go below zero.
_NON_NEGATIVE = {
    "glabella",
    "forehead",
    "lower_lid",
    "nose_wrinkle",
    "nasolabial",
    "cheek",
    "mouth_open",
    "mouth_drop",
    "mouth_squareness",
    "upper_lip_raise",
    "lip_press",
    "teeth",
    "jaw_drop",
}
_DELTA_TABLE = np.array(list(_EXPRESSION_DELTAS.values()), dtype=np.float32)  # (params, classes)
# Class-independent spread of each expression parameter at expression_noise=1: a third of the
# largest move any expression makes, so a neutral face can look a little sad and vice versa.
_EXPRESSION_SPREAD = np.abs(_DELTA_TABLE).max(axis=1) / 3.0


def class_counts_for_total(
    total: int, proportions: Mapping[str, float] = FER2013_TRAINING_PROPORTIONS
) -> dict[int, int]:
    """Split ``total`` images over the 7 labels in the given proportions (largest remainder).

    Every class gets at least one image, because downstream steps (a per-class CycleGAN, a
    stratified split) fail on an empty class; the counts always sum to ``total``.
    """
    missing = [name for name in EMOTIONS if name not in proportions]
    if missing:
        raise ValueError(
            f"proportions lack class(es) {missing}; give a share for each of {', '.join(EMOTIONS)}"
        )
    shares = np.array([float(proportions[name]) for name in EMOTIONS])
    if np.any(shares <= 0) or not np.all(np.isfinite(shares)):
        raise ValueError(
            f"every class proportion must be a positive number, got {dict(proportions)}"
        )
    if total < NUM_CLASSES:
        raise ValueError(
            f"total={total} is too small: need at least {NUM_CLASSES} images, one per class"
        )
    spare = total - NUM_CLASSES  # one image per class is reserved first
    exact = shares / shares.sum() * spare
    counts = largest_remainder(exact, total=spare)
    return {label: int(count) + 1 for label, count in enumerate(counts)}


def synthetic_face_dataset(
    total: int,
    seed: int,
    proportions: Mapping[str, float] = FER2013_TRAINING_PROPORTIONS,
    **difficulty: float | tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """``total`` faces with FER2013-like class counts, in a seeded random order.

    Returns ``(images, labels)``: ``uint8 (total, 48, 48)`` and ``int64 (total,)``. The same
    ``seed`` gives the same bytes; ``difficulty`` keywords are those of :func:`render_faces`.
    """
    counts = class_counts_for_total(total, proportions)
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int64), list(counts.values()))
    order_seed, render_seed = np.random.SeedSequence(seed).spawn(2)
    labels = np.random.default_rng(order_seed).permutation(labels)
    images = render_faces(labels, int(render_seed.generate_state(1)[0]), **difficulty)
    return images, labels


#: The embedded small "lab" set (issue "transfer"): posed, frontal, clean, strong expressions —
#: a visible domain shift from the FER-like default's weak, noisy, varied faces.
LAB_STYLE: dict[str, float | tuple[float, float]] = {
    "intensity": (0.9, 1.3),
    "expression_noise": 0.25,
    "identity_variation": 0.5,
    "blur_sigma": (0.2, 0.4),
    "noise_std": 2.0,
}


def lab_face_sessions(
    subjects: int, repeats: int, seed: int, classes: tuple[str, ...] = EMOTIONS
) -> list[tuple[int, int, np.ndarray]]:
    """A posed lab set: each of ``subjects`` people shows each class ``repeats`` times.

    Returns ``[(label, repeat, faces (subjects, 48, 48))]``: row ``i`` of every entry is
    subject ``i`` (identities come from one seed; each label × repeat draws its own expression
    strength, jitter and texture), as JAFFE's ten women each posed every expression ~3 times.
    """
    if subjects < 1 or repeats < 1:
        raise ValueError(f"need subjects >= 1 and repeats >= 1, got {subjects}, {repeats}")
    identity_seed, session_seed = np.random.SeedSequence(seed).spawn(2)
    identity = int(identity_seed.generate_state(1)[0])
    sessions = session_seed.spawn(len(classes) * repeats)
    out = []
    for index, name in enumerate(classes):
        label = EMOTIONS.index(name)
        for repeat in range(repeats):
            faces = render_faces(
                np.full(subjects, label),
                int(sessions[index * repeats + repeat].generate_state(1)[0]),
                identity_seed=identity,
                **LAB_STYLE,
            )
            out.append((label, repeat, faces))
    return out


def render_faces(
    labels: np.ndarray,
    seed: int,
    *,
    intensity: tuple[float, float] = (0.4, 1.2),
    expression_noise: float = 0.6,
    identity_variation: float = 1.0,
    blur_sigma: tuple[float, float] = (0.3, 1.0),
    noise_std: float = 8.0,
    identity_seed: int | None = None,
) -> np.ndarray:
    """Render one face per label (0 angry … 6 neutral) as ``uint8 (N, 48, 48)``.

    Identities (pose, shape, tones, intensity, blur, noise) are drawn from ``seed`` and the
    number of faces only, never from the labels: rendering the same seed with other labels
    shows the same people with other expressions. With ``identity_seed``, identities come from
    that seed alone and ``seed`` draws only the expression strength, its jitter and the
    texture: the same people photographed again (a lab set's repeated sessions).

    Difficulty — the defaults are tuned so that the paper's CNN, trained on a 20 % sample of
    10,000 faces, is neither perfect nor hopeless (top-1 ≈ 70 %, disgust rarely recognised):
        intensity: range of the per-face expression strength, drawn uniformly; 0 = neutral face,
            1 = the full expression. A low bound below ~0.3 makes weak expressions hard to tell
            from neutral, as in real data.
        expression_noise: class-independent jitter of every expression parameter (brow height,
            mouth curvature, …), in units of a third of the largest expression move.
        identity_variation: multiplier on the spread of identity (pose, shape, feature geometry).
        blur_sigma: range of the per-face Gaussian blur, in pixels.
        noise_std: mean per-pixel Gaussian noise, in gray levels (each face draws 0.5–1.5×).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D integer array, got dtype {labels.dtype} and shape {labels.shape}"
        )
    bad = np.flatnonzero((labels < 0) | (labels >= NUM_CLASSES))
    if bad.size:
        raise ValueError(
            f"labels must be 0..{NUM_CLASSES - 1} ({', '.join(EMOTIONS)}); position {bad[0]} "
            f"holds {labels[bad[0]]}"
        )
    _check_difficulty(intensity, blur_sigma, expression_noise, identity_variation, noise_std)
    lo, hi = intensity
    blur_lo, blur_hi = blur_sigma
    param_seed, texture_seed = np.random.SeedSequence(seed).spawn(2)
    expression_rng = np.random.default_rng(param_seed)
    params = _sample_parameters(
        labels.astype(np.int64),
        expression_rng,
        identity_rng=(
            expression_rng if identity_seed is None else np.random.default_rng(identity_seed)
        ),
        intensity=(lo, hi),
        expression_noise=expression_noise,
        identity_variation=identity_variation,
        blur_sigma=(blur_lo, blur_hi),
        noise_std=noise_std,
    )
    texture_rng = np.random.default_rng(texture_seed)
    out = np.empty((labels.size, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    for start in range(0, labels.size, _CHUNK):
        chunk = {name: values[start : start + _CHUNK] for name, values in params.items()}
        out[start : start + _CHUNK] = _finish(_draw_faces(chunk), chunk, texture_rng)
    return out


def _check_difficulty(
    intensity: tuple[float, float],
    blur_sigma: tuple[float, float],
    expression_noise: float,
    identity_variation: float,
    noise_std: float,
) -> None:
    """Refuse difficulty settings :func:`render_faces` cannot draw from, naming them."""
    lo, hi = intensity
    blur_lo, blur_hi = blur_sigma
    if not (0 <= lo <= hi) or not (0 <= blur_lo <= blur_hi <= 2.0):
        raise ValueError(
            f"need 0 <= intensity low <= high and 0 <= blur low <= high <= 2, got "
            f"intensity={intensity}, blur_sigma={blur_sigma}"
        )
    if expression_noise < 0 or identity_variation < 0 or noise_std < 0:
        raise ValueError(
            "expression_noise, identity_variation and noise_std must be >= 0, got "
            f"{expression_noise}, {identity_variation}, {noise_std}"
        )


def _sample_parameters(
    labels: np.ndarray,
    rng: np.random.Generator,
    *,
    identity_rng: np.random.Generator,
    intensity: tuple[float, float],
    expression_noise: float,
    identity_variation: float,
    blur_sigma: tuple[float, float],
    noise_std: float,
) -> dict[str, np.ndarray]:
    """Draw every per-face parameter, identity first so it does not depend on the labels.

    One long function on purpose: the draws' order *is* the data (every seeded face depends
    on it), so it is kept as one visible sequence rather than spread over helpers. Identity
    draws use ``identity_rng`` (``rng`` itself unless the caller fixes the identities), the
    expression draws ``rng``.
    """
    n = labels.size
    iv = identity_variation

    def normal(mean: float, std: float) -> np.ndarray:
        return (mean + iv * std * identity_rng.standard_normal(n)).astype(np.float32)

    def uniform(low: float, high: float) -> np.ndarray:
        return identity_rng.uniform(low, high, n).astype(np.float32)

    p = {
        # pose: the point between the eyes in pixels, pixels per face unit, roll, turn of the head
        "center_x": normal(24.0, 1.5),
        "center_y": normal(19.5, 1.5),
        "scale": normal(22.0, 1.5),
        "roll": normal(0.0, 0.07),
        "yaw": normal(0.0, 0.04),
        # head oval: half width, upper and lower half heights, narrowing towards the chin
        "head_a": normal(0.9, 0.05),
        "head_b_top": normal(1.25, 0.06),
        "head_b_low": normal(1.12, 0.06),
        "head_taper": normal(0.3, 0.08),
        # tones in [0, 1] and lighting
        "skin": uniform(0.35, 0.85),
        "background": uniform(0.05, 0.95),
        "bg_grad_x": normal(0.0, 0.12),
        "bg_grad_y": normal(0.0, 0.12),
        "round_shade": uniform(0.1, 0.35),
        "light_x": normal(0.0, 0.18),
        "light_y": normal(0.0, 0.1),
        "gamma": uniform(0.8, 1.25),
        "texture": uniform(0.0, 0.05),
        # hair line (face units above the eyes) and hair
        "hair_line": uniform(-1.0, -0.55),
        "hair_curve": normal(0.45, 0.1),
        "hair_amount": (identity_rng.random(n) < 0.85).astype(np.float32) * uniform(0.6, 1.0),
        "hair_tone": uniform(0.03, 0.5),
        "hair_length": uniform(-0.6, 0.9),
        # eyes
        "eye_dx": normal(0.36, 0.025),
        "eye_y": normal(0.0, 0.025),
        "eye_w": normal(0.15, 0.012),
        "eye_h": normal(0.072, 0.01),
        "iris_r": normal(0.06, 0.006),
        "gaze_x": normal(0.0, 0.02),
        "gaze_y": normal(0.0, 0.01),
        "lid_dark": uniform(0.4, 0.7),
        "sclera": uniform(0.1, 0.3),
        "socket_dark": uniform(0.05, 0.25),
        # brows
        "brow_y": normal(-0.27, 0.03),
        "brow_inner_x": normal(0.11, 0.02),
        "brow_outer_x": normal(0.56, 0.035),
        "brow_thick": normal(0.08, 0.015),
        "brow_dark": uniform(0.25, 0.65),
        "brow_arch_base": normal(0.04, 0.02),
        # nose and mouth
        "nose_y": normal(0.43, 0.03),
        "nostril_dx": normal(0.08, 0.01),
        "mouth_y": normal(0.72, 0.035),
        "mouth_hw": normal(0.3, 0.03),
        "lip_upper": normal(0.045, 0.01),
        "lip_lower": normal(0.06, 0.012),
        "lip_dark": uniform(0.08, 0.3),
        "line_dark": uniform(0.3, 0.55),
        # image degradation
        "blur": uniform(*blur_sigma),
        "noise": uniform(0.5, 1.5) * np.float32(noise_std / 255.0),
    }
    strength = rng.uniform(intensity[0], intensity[1], n).astype(np.float32)
    jitter = rng.standard_normal((len(_EXPRESSION_DELTAS), n)).astype(np.float32)
    moves = _DELTA_TABLE[:, labels] * strength + (
        expression_noise * _EXPRESSION_SPREAD[:, None] * jitter
    )
    for row, name in enumerate(_EXPRESSION_DELTAS):
        p[name] = np.maximum(moves[row], 0.0) if name in _NON_NEGATIVE else moves[row]
    p["teeth"] = np.minimum(p["teeth"], 1.0)
    return p


def _ramp(distance_px: np.ndarray) -> np.ndarray:
    """Anti-aliased inside-mask from a signed distance in pixels (positive inside)."""
    return np.clip(distance_px + 0.5, 0.0, 1.0)


def _ellipse(
    du: np.ndarray,
    dv: np.ndarray,
    half_w: np.ndarray | float,
    half_h: np.ndarray | float,
    s: np.ndarray,
) -> np.ndarray:
    """Anti-aliased filled ellipse; the distance to the rim is scaled by the shorter half axis."""
    r = np.sqrt((du / half_w) ** 2 + (dv / half_h) ** 2)
    return _ramp((1.0 - r) * np.minimum(half_w, half_h, dtype=np.float32) * s)


def _draw_faces(p: dict[str, np.ndarray]) -> np.ndarray:
    """Draw clean faces (float, 0 = black, 1 = white) for one chunk of parameters.

    Long on purpose: one straight pass of layers (oval, hair, brows, eyes, nose, mouth, folds)
    painted over each other in order, all sharing the same face-coordinate grids.
    """

    def col(name: str) -> np.ndarray:
        return p[name][:, None, None]

    yy, xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float32)
    s = col("scale")
    cos, sin = np.cos(col("roll")), np.sin(col("roll"))
    dx, dy = xx - col("center_x"), yy - col("center_y")
    u = (cos * dx + sin * dy) / s  # face units, origin between the eyes
    v = (cos * dy - sin * dx) / s
    uf = u - col("yaw")  # features shift against the oval when the head turns
    au = np.abs(uf)  # left and right features are drawn once, mirrored
    side = np.sign(uf)

    # background with a lighting gradient and head oval narrowing towards the (dropping) jaw
    half = IMAGE_SIZE / 2
    img = (
        col("background")
        + col("bg_grad_x") * (xx - half) / half
        + col("bg_grad_y") * (yy - half) / half
    )
    vh = v + 0.1
    # np.where would broadcast slowly here; a 0/1 mask picks the lower half height instead
    b = col("head_b_top") + (col("head_b_low") + col("jaw_drop") - col("head_b_top")) * (vh >= 0)
    a = col("head_a") * (1.0 - col("head_taper") * np.clip(vh / b, 0.0, 1.0) ** 2)
    r_head = np.sqrt((u / a) ** 2 + (vh / b) ** 2)
    head = _ramp((1.0 - r_head) * col("head_a") * s / 1.3)
    skin = col("skin") * (1.0 - col("round_shade") * np.minimum(r_head, 1.0) ** 4)
    img += head * (skin - img)
    # hair: above the hair line inside a slightly larger oval, and beside the face down to
    # hair_length (long hair frames the cheeks)
    hair = np.maximum(
        _ramp((col("hair_line") + col("hair_curve") * u**2 - v) * s),
        _ramp((r_head - 1.0) * s) * _ramp((col("hair_length") - v) * s),
    ) * _ramp((1.15 - r_head) * s)
    img += hair * col("hair_amount") * (col("hair_tone") - img)
    img *= 1.0 + col("light_x") * u + col("light_y") * v

    # eyes: socket shadow, dark lid outline, lighter sclera, dark iris
    ue, ve = au - col("eye_dx"), v - col("eye_y")
    socket = np.clip(1.0 - (ue / 0.24) ** 2 - ((ve + 0.03) / 0.14) ** 2, 0.0, 1.0)
    img *= 1.0 - col("socket_dark") * socket
    opening = col("eye_h") * np.maximum(1.0 + col("eye_open"), 0.15)
    lower = opening * 0.75 * (1.0 - np.minimum(col("lower_lid"), 0.8))
    eye_half_h = opening + (lower - opening) * (ve >= 0)
    img *= 1.0 - col("lid_dark") * _ellipse(ue, ve, col("eye_w") + 0.03, eye_half_h + 0.03, s)
    sclera = _ellipse(ue, ve, col("eye_w"), eye_half_h, s)
    img += sclera * (np.minimum(col("skin") + col("sclera"), 0.95) - img)
    iris_u = ue - col("gaze_x") * side
    r_iris = np.sqrt(iris_u**2 + (ve - col("gaze_y")) ** 2)
    img *= 1.0 - 0.75 * sclera * _ramp((col("iris_r") - r_iris) * s)

    # brows: inner end (near the nose) and outer end move separately, plus arch
    inner_x = col("brow_inner_x") + col("brow_inner_dx")
    t = (au - inner_x) / (col("brow_outer_x") - inner_x)
    brow_line = (
        col("brow_y")
        + col("brow_inner_dy")
        + (col("brow_outer_dy") - col("brow_inner_dy")) * t
        - (col("brow_arch_base") + col("brow_arch")) * 4.0 * t * (1.0 - t)
    )
    brow_half = col("brow_thick") * (0.5 - 0.18 * np.clip(t, 0.0, 1.0))
    brow = _ramp((brow_half - np.abs(v - brow_line)) * s) * _ramp(np.minimum(t, 1.0 - t) * 6.0)
    img *= 1.0 - col("brow_dark") * brow

    # wrinkles: vertical furrows between the brows, horizontal ones across the forehead
    brow_y = col("brow_y")
    furrow = _ramp((0.022 - np.abs(au - 0.05)) * s) * _ramp(
        np.minimum(v - brow_y + 0.02, brow_y + 0.2 - v) * s
    )
    img *= 1.0 - 0.35 * np.minimum(col("glabella"), 1.5) * furrow
    forehead_band = _ramp(np.minimum(v - brow_y + 0.5, brow_y - 0.14 - v) * s) * _ramp(
        (0.45 - au) * s
    )
    stripes = np.clip(np.cos((v - 0.25 * u**2) * (2 * np.pi / 0.13)) * 2.0 - 1.0, 0.0, 1.0)
    img *= 1.0 - 0.22 * np.minimum(col("forehead"), 1.5) * forehead_band * stripes

    # nose: side shading, tip highlight, nostrils (lifted in disgust), bridge wrinkles
    nose_y = col("nose_y") - col("nostril_raise")
    img *= 1.0 - 0.07 * _ramp((0.03 - np.abs(au - 0.11)) * s) * _ramp(
        np.minimum(v - 0.05, nose_y - 0.05 - v) * s
    )
    img *= 1.0 + 0.06 * np.clip(1.0 - (uf / 0.08) ** 2 - ((v - nose_y + 0.07) / 0.06) ** 2, 0, 1)
    img *= 1.0 - 0.4 * _ellipse(au - col("nostril_dx"), v - nose_y, 0.05, 0.032, s)
    bridge = _ramp(np.minimum(0.11 - au, np.minimum(v - 0.02, 0.26 - v)) * s)
    bridge_lines = np.clip(np.cos((v + 0.6 * au) * (2 * np.pi / 0.1)) * 2.0 - 1.0, 0.0, 1.0)
    img *= 1.0 - 0.3 * np.minimum(col("nose_wrinkle"), 1.5) * bridge * bridge_lines

    # cheeks raised in a smile catch the light
    r_cheek = ((au - 0.34) / 0.16) ** 2 + ((v - 0.4) / 0.12) ** 2
    img *= 1.0 + 0.15 * col("cheek") * np.clip(1.0 - r_cheek, 0.0, 1.0)

    # mouth: midline bent by the corners, opening (round or stretched), raised upper lip
    mouth_hw = col("mouth_hw") * np.maximum(1.0 + col("mouth_width"), 0.3)
    mouth_y = col("mouth_y") + col("mouth_dy") + col("jaw_drop") * 0.5
    tm = uf / mouth_hw
    inside = np.clip(1.0 - tm**2, 0.0, 1.0)
    profile = np.sqrt(inside)  # half an ellipse: an "O"
    flat = np.sqrt(profile)  # flatter, for stretched mouths and the raised upper lip
    midline = mouth_y + col("mouth_corner") * tm**2
    squareness = np.minimum(col("mouth_squareness"), 1.0)
    gape = col("mouth_open") * (profile + squareness * (flat - profile))
    drop = np.minimum(col("mouth_drop"), 0.9)  # a smile opens downwards, below a flat top lip
    top = midline - gape * (1.0 - drop) - col("upper_lip_raise") * flat
    bottom = midline + gape * (1.0 + drop)
    ends = _ramp((1.0 - np.abs(tm)) * mouth_hw * s)

    # nasolabial folds run from beside the nostrils to just outside the mouth corners
    fold_top, fold_bottom = nose_y - 0.03, mouth_y + col("mouth_corner") + 0.02
    depth = np.clip((v - fold_top) / (fold_bottom - fold_top), 0.0, 1.0)
    fold_x = 0.14 + (mouth_hw + 0.05 - 0.14) * np.sqrt(depth)
    fold = _ramp((0.025 - np.abs(au - fold_x)) * s) * _ramp(
        np.minimum(v - fold_top, fold_bottom - v) * s
    )
    img *= 1.0 - (0.03 + 0.25 * np.minimum(col("nasolabial"), 1.5)) * fold

    lip_scale = np.maximum(1.0 - col("lip_press"), 0.2) * profile
    upper_lip = _ramp(np.minimum(v - top + col("lip_upper") * lip_scale, top - v) * s)
    lower_lip = _ramp(np.minimum(v - bottom, bottom + col("lip_lower") * lip_scale - v) * s)
    img *= 1.0 - col("lip_dark") * (upper_lip + lower_lip) * ends
    line_dark = np.minimum(col("line_dark") * (1.0 + 0.5 * col("lip_press")), 0.85)
    img *= 1.0 - line_dark * _ramp(0.6 - np.abs(v - midline) * s) * ends
    cavity = _ramp(np.minimum(v - top, bottom - v) * s) * ends
    img *= 1.0 - 0.82 * cavity
    teeth = cavity * _ramp((top + 0.05 - v) * s) * col("teeth")
    img += teeth * (np.minimum(col("skin") + 0.3, 0.95) - img)
    return img


def _finish(img: np.ndarray, p: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Add camera effects — low-frequency texture, gamma, blur, noise — and quantise to uint8."""
    n = img.shape[0]
    # blotchy low-frequency shading (skin texture, uneven light) from a 6×6 grid, upsampled
    grid = rng.standard_normal((n, 6, 6)).astype(np.float32)
    up = _linear_upsampler(6, IMAGE_SIZE)
    img += p["texture"][:, None, None] * np.einsum("ij,njk,lk->nil", up, grid, up)
    img = np.clip(img, 0.0, 1.0) ** p["gamma"][:, None, None]
    img = _gaussian_blur(img, p["blur"])
    img += p["noise"][:, None, None] * rng.standard_normal(img.shape).astype(np.float32)
    return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)


def _linear_upsampler(n_in: int, n_out: int) -> np.ndarray:
    """Matrix ``(n_out, n_in)`` that linearly interpolates a length-``n_in`` signal."""
    pos = np.linspace(0, n_in - 1, n_out)
    lo = np.minimum(np.floor(pos).astype(int), n_in - 2)
    frac = (pos - lo).astype(np.float32)
    mat = np.zeros((n_out, n_in), dtype=np.float32)
    mat[np.arange(n_out), lo] = 1.0 - frac
    mat[np.arange(n_out), lo + 1] = frac
    return mat


def _gaussian_blur(img: np.ndarray, sigma: np.ndarray, radius: int = 3) -> np.ndarray:
    """Separable Gaussian blur with a different ``sigma`` (pixels) per image; edges replicated."""
    offsets = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-0.5 * (offsets / np.maximum(sigma[:, None], 1e-3)) ** 2)
    kernel /= kernel.sum(axis=1, keepdims=True)
    size = img.shape[1]
    padded = np.pad(img, ((0, 0), (radius, radius), (radius, radius)), mode="edge")
    rows = sum(kernel[:, j, None, None] * padded[:, :, j : j + size] for j in range(2 * radius + 1))
    return sum(kernel[:, j, None, None] * rows[:, j : j + size, :] for j in range(2 * radius + 1))
