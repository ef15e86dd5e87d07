"""The embedded default data: seeded procedural faces with FER2013's class balance."""

import numpy as np
import pytest

from emotion_gan.sources.synthetic_faces import (
    FER2013_TRAINING_COUNTS,
    FER2013_TRAINING_PROPORTIONS,
    class_counts_for_total,
    render_faces,
    synthetic_face_dataset,
)
from emotion_gan.vocabulary import EMOTIONS, IMAGE_SIZE, NUM_CLASSES, label_of

NEUTRAL = label_of("neutral")
# Rows of a 48×48 face that hold the brows and eyes, and the mouth (the renderer puts the point
# between the eyes near row 19.5 and the mouth about 16 px below it).
BROWS_EYES = (slice(8, 24), slice(8, 40))
MOUTH = (slice(28, 44), slice(12, 36))


def test_same_seed_gives_the_same_bytes_and_another_seed_other_faces() -> None:
    images, labels = synthetic_face_dataset(120, seed=5)
    again_images, again_labels = synthetic_face_dataset(120, seed=5)
    other_images, other_labels = synthetic_face_dataset(120, seed=6)
    assert images.tobytes() == again_images.tobytes()
    assert np.array_equal(labels, again_labels)
    assert not np.array_equal(labels, other_labels)
    assert np.abs(images.astype(int) - other_images.astype(int)).mean() > 10


def test_faces_are_48x48_uint8_with_labels_0_to_6() -> None:
    images, labels = synthetic_face_dataset(60, seed=0)
    assert images.shape == (60, IMAGE_SIZE, IMAGE_SIZE)
    assert images.dtype == np.uint8
    assert labels.shape == (60,)
    assert labels.dtype == np.int64
    assert set(labels.tolist()) == set(range(NUM_CLASSES))
    # real photographs use most of the gray range; so do these (dark hair, light backgrounds)
    assert images.min() < 30 and images.max() > 225


def test_proportions_are_fer2013_training_counts() -> None:
    assert sum(FER2013_TRAINING_COUNTS.values()) == 28_709
    assert list(FER2013_TRAINING_PROPORTIONS) == list(EMOTIONS)
    assert sum(FER2013_TRAINING_PROPORTIONS.values()) == pytest.approx(1.0)
    assert FER2013_TRAINING_PROPORTIONS["disgust"] == pytest.approx(0.0152, abs=1e-4)
    assert max(FER2013_TRAINING_PROPORTIONS, key=FER2013_TRAINING_PROPORTIONS.get) == "happy"


@pytest.mark.parametrize("total", [7, 8, 100, 1234, 10_000])
def test_class_counts_sum_to_total_keep_every_class_and_follow_fer2013(total: int) -> None:
    counts = class_counts_for_total(total)
    assert list(counts) == list(range(NUM_CLASSES))
    assert sum(counts.values()) == total
    assert min(counts.values()) >= 1
    for label, count in counts.items():
        # one image per class is reserved, the rest split by largest remainder
        assert abs(count - FER2013_TRAINING_PROPORTIONS[EMOTIONS[label]] * total) < 2


def test_ten_thousand_faces_hold_about_one_and_a_half_percent_disgust() -> None:
    counts = class_counts_for_total(10_000)
    assert counts[label_of("disgust")] / 10_000 == pytest.approx(0.0152, abs=2e-4)
    assert counts[label_of("happy")] == max(counts.values())


def test_dataset_labels_have_the_class_counts_in_shuffled_order() -> None:
    images, labels = synthetic_face_dataset(300, seed=1)
    assert np.bincount(labels).tolist() == list(class_counts_for_total(300).values())
    assert np.any(np.diff(labels) < 0), "labels should be shuffled, not sorted by class"
    assert len(images) == 300


def test_custom_proportions_are_followed() -> None:
    even = dict.fromkeys(EMOTIONS, 1.0)
    assert set(class_counts_for_total(70, even).values()) == {10}


def test_bad_totals_and_proportions_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="at least 7"):
        class_counts_for_total(6)
    without_disgust = {k: v for k, v in FER2013_TRAINING_PROPORTIONS.items() if k != "disgust"}
    with pytest.raises(ValueError, match="disgust"):
        class_counts_for_total(100, without_disgust)
    with pytest.raises(ValueError, match="positive"):
        class_counts_for_total(100, {**FER2013_TRAINING_PROPORTIONS, "fear": 0.0})


def test_bad_labels_are_refused_naming_the_position() -> None:
    with pytest.raises(ValueError, match="position 2 holds 7"):
        render_faces(np.array([0, 6, 7]), seed=0)
    with pytest.raises(ValueError, match="integer"):
        render_faces(np.array([0.0, 1.0]), seed=0)
    with pytest.raises(ValueError, match="intensity"):
        render_faces(np.array([0]), seed=0, intensity=(0.9, 0.1))


def test_relabelling_a_face_changes_its_expression_not_its_identity() -> None:
    """Face i's identity (pose, tones, noise) comes from the seed alone, so the same seed drawn
    with other labels isolates what each expression changes: brows/eyes and mouth, not the
    border of the image."""
    n = 60
    neutral = render_faces(np.full(n, NEUTRAL), seed=3).astype(float)
    for label, emotion in enumerate(EMOTIONS[:NEUTRAL]):
        change = np.abs(render_faces(np.full(n, label), seed=3).astype(float) - neutral).mean(0)
        features = max(change[BROWS_EYES].mean(), change[MOUTH].mean())
        border = change[:, :3].mean() + change[:, -3:].mean()
        assert features > 1.0, f"{emotion} barely changes brows/eyes or mouth ({features:.2f})"
        assert border < 0.2 * features, f"{emotion} changes the image border ({border:.2f})"


def _standardised(images: np.ndarray, region: tuple[slice, slice]) -> np.ndarray:
    """Each image's crop of ``region``, flattened, with zero mean and unit variance: brightness
    and contrast vary by identity and carry no expression."""
    crops = images[:, region[0], region[1]].reshape(len(images), -1).astype(np.float64)
    crops -= crops.mean(axis=1, keepdims=True)
    return crops / crops.std(axis=1, keepdims=True)


def test_class_mean_faces_differ_more_than_two_halves_of_one_class() -> None:
    """Independent faces per class, as in a dataset: each expression's mean face differs from
    the neutral mean, in the brows/eyes or the mouth, by well more than two random halves of one
    class differ (the sampling noise of a mean). Pose is held fixed so pixels line up."""
    per_class = 240
    half = per_class // 2
    labels = np.tile(np.arange(NUM_CLASSES), per_class)
    images = render_faces(labels, seed=11, identity_variation=0.0)
    by_class = images.reshape(per_class, NUM_CLASSES, IMAGE_SIZE, IMAGE_SIZE).swapaxes(0, 1)

    def distance(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a.mean(axis=0) - b.mean(axis=0)).mean())

    ratios = {}
    for region_name, region in (("brows/eyes", BROWS_EYES), ("mouth", MOUTH)):
        crops = [_standardised(faces, region) for faces in by_class]
        noise = np.mean([distance(c[:half], c[half:]) for c in crops])
        for label, emotion in enumerate(EMOTIONS[:NEUTRAL]):
            ratio = distance(crops[label][:half], crops[NEUTRAL][half:]) / noise
            ratios[emotion] = max(ratios.get(emotion, 0.0), ratio)
            ratios[f"{emotion} {region_name}"] = ratio
    for emotion in EMOTIONS[:NEUTRAL]:
        assert ratios[emotion] > 1.4, f"{emotion} mean face is too close to neutral: {ratios}"
    # the expressions differ where FACS says they do
    assert ratios["surprise mouth"] > 2.0 and ratios["surprise brows/eyes"] > 2.0
    assert ratios["angry brows/eyes"] > ratios["angry mouth"]
    assert ratios["happy mouth"] > 1.4


def test_every_class_varies_within_itself() -> None:
    """No class is one face repeated: identities, poses and intensities differ."""
    labels = np.repeat(np.arange(NUM_CLASSES), 30)
    images = render_faces(labels, seed=2)
    for label, emotion in enumerate(EMOTIONS):
        faces = images[labels == label].reshape(30, -1).astype(float)
        assert len({face.tobytes() for face in faces}) == 30, f"{emotion} repeats a face"
        assert faces.std(axis=0).mean() > 20, f"{emotion} faces hardly differ"
        pairwise = np.abs(faces[:, None] - faces[None]).mean(axis=2)
        assert pairwise[np.triu_indices(30, 1)].min() > 5, f"{emotion} has near-duplicates"
