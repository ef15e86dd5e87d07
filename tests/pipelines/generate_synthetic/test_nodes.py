"""generate_synthetic nodes: how many, translation with reuse, Fig. 3, quality report."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from emotion_gan.imageset import ImageSet
from emotion_gan.models.conditional.networks import TargetedGenerator, build_conditional_gan
from emotion_gan.models.cyclegan.networks import build_cyclegan
from emotion_gan.models.cyclegan.translate import faces_to_tensor, tensor_to_faces
from emotion_gan.models.judge import build_judge
from emotion_gan.pipelines.generate_synthetic.nodes import (
    bind_target_class,
    build_augmented_train_sample,
    generate_class_faces,
    measure_generation_quality,
    number_to_generate,
    plot_fig3_samples,
    plot_generation_quality,
)
from emotion_gan.stats.generation_quality import generation_quality
from emotion_gan.vocabulary import label_of


def test_number_to_generate_balances_to_the_largest_class(make_imageset) -> None:
    sample = make_imageset((10, 2, 10, 30, 10, 10, 10))
    assert number_to_generate(sample, "disgust", {"lift_to": "largest_class"}) == 28
    assert number_to_generate(sample, "disgust", {"lift_to": 5}) == 3
    assert number_to_generate(sample, "happy", {"lift_to": 5}) == 0
    assert number_to_generate(sample, "happy", {"lift_to": 5, "min_count": 4}) == 4
    assert number_to_generate(sample, "disgust", {"count": 7, "lift_to": 99}) == 7


def test_uint8_mapping_clips_and_rounds() -> None:
    out = tensor_to_faces(torch.tensor([-1.5, -1.0, 0.0, 0.999, 1.2]).reshape(1, 1, 1, 5))
    assert out.tolist() == [[[0, 0, 128, 255, 255]]]
    faces = np.array([[[0, 255, 128]]], dtype=np.uint8)
    np.testing.assert_array_equal(tensor_to_faces(faces_to_tensor(faces)), faces)


def test_generated_set_is_labelled_and_reuses_sources_without_duplicates(make_imageset) -> None:
    sample = make_imageset((3, 2, 3, 3, 3, 3, 4))  # 4 neutral faces
    g = build_cyclegan(ngf=4, n_blocks=1, ndf=4, n_layers=1).as_dict()
    settings = {"count": 10, "batch_size": 3, "seed": 1, "reuse_pad": 2}
    generated = generate_class_faces(g, sample, "disgust", "neutral", settings)

    assert len(generated) == 10
    assert set(generated.labels) == {label_of("disgust")}
    assert set(generated.origin) == {"generated"} and set(generated.split) == {"train"}
    sources = np.asarray(generated.metadata["source_indices"])
    assert set(sample.labels[sources]) == {label_of("neutral")}
    assert sorted(sources[:4]) == sorted(np.flatnonzero(sample.labels == label_of("neutral")))
    flat = generated.images.reshape(10, -1)
    assert len(np.unique(flat, axis=0)) == 10, "a reused source must not give an exact copy"
    again = generate_class_faces(g, sample, "disgust", "neutral", settings)
    np.testing.assert_array_equal(again.images, generated.images)
    assert generated.metadata["generated_by"] == "six CycleGANs: neutral -> disgust"


def test_the_conditional_model_is_bound_to_one_class_and_translates_like_a_cyclegan_g(
    make_imageset,
) -> None:
    conditional = build_conditional_gan(ngf=4, n_blocks=1, ndf=4).as_dict()
    bound = bind_target_class(conditional, "disgust")["G"]
    assert isinstance(bound, TargetedGenerator) and bound.target == label_of("disgust")
    x = faces_to_tensor(make_imageset((0, 0, 0, 0, 0, 0, 2)).images)
    with torch.no_grad():
        torch.testing.assert_close(bound(x), conditional["G"](x, torch.tensor([1, 1])))
    sample = make_imageset((3, 2, 3, 3, 3, 3, 4))
    settings = {"count": 5, "batch_size": 3, "seed": 1, "reuse_pad": 2}
    generated = generate_class_faces(
        {"G": bound}, sample, "disgust", "neutral", settings, family="one conditional generator"
    )
    assert len(generated) == 5 and set(generated.labels) == {label_of("disgust")}
    assert generated.metadata["generator_family"] == "one conditional generator"
    augmented = build_augmented_train_sample(sample, generated)
    assert "(one conditional generator)" in augmented.metadata["purpose"]
    with pytest.raises(ValueError, match="unknown emotion 'disgusted'"):
        bind_target_class(conditional, "disgusted")
    with pytest.raises(KeyError, match=r"lacks \['D'\]"):
        bind_target_class({"G": conditional["G"]}, "sad")


def test_augmented_sample_keeps_real_and_adds_generated(make_imageset) -> None:
    sample = make_imageset((2,) * 7)
    fake = make_imageset((0, 3, 0, 0, 0, 0, 0), origin="generated")
    augmented = build_augmented_train_sample(sample, fake)
    assert len(augmented) == 17
    assert (augmented.origin == "generated").sum() == 3


def _generated_from(
    sample: ImageSet, rows: np.ndarray, images: np.ndarray, reference_faces: int | None = None
) -> ImageSet:
    return ImageSet.from_arrays(
        images,
        np.full(len(images), label_of("disgust")),
        origin="generated",
        metadata={
            "target_class": "disgust",
            "reference_class": "neutral",
            "source_indices": rows.tolist(),
            "reference_faces": len(rows) if reference_faces is None else reference_faces,
        },
    )


def measure_quality(sample: ImageSet, *generated: ImageSet) -> dict:
    """The node with a tiny untrained judge and the sample itself standing in for test_full."""
    judge = build_judge(0, widths=[4], feature_width=8, dropout=0.0)
    inference = {"device": "cpu", "precision": "fp32"}
    quality = {"max_images": 100, "seed": 0}
    return measure_generation_quality(quality, inference, judge, sample, sample, *generated)


def test_every_generated_class_gets_the_judges_verdict(make_imageset) -> None:
    sample = make_imageset((4, 5, 4, 4, 4, 4, 6), seed=4)
    neutral_rows = np.flatnonzero(sample.labels == label_of("neutral"))
    identity = _generated_from(sample, neutral_rows, sample.images[neutral_rows].copy())
    judged = measure_quality(sample, identity)["classes"]["disgust"]["judged"]
    assert judged["generated_count"] == 6 and judged["real_test_count"] == 5
    assert 0.0 <= judged["label_fidelity"] <= 1.0
    # G = identity: the generated faces ARE the source faces, so they sit on the source line.
    distances = judged["frechet_distance"]
    assert distances["n"] == 5
    assert distances["generated"] == pytest.approx(distances["source_line"], rel=0.5)
    assert judged["source_called_target"] == judged["label_fidelity"]


def test_source_change_leaves_out_reused_sources_that_were_shifted(make_imageset) -> None:
    """G = identity: first uses show no change; shifted reuses must not count as change."""
    sample = make_imageset((2, 2, 2, 2, 2, 2, 3), seed=4)
    neutral_rows = np.flatnonzero(sample.labels == label_of("neutral"))
    rows = np.concatenate([neutral_rows, neutral_rows[:2]])  # 3 first uses, 2 reuses
    outputs = sample.images[rows].copy()
    outputs[3:] = np.roll(outputs[3:], 2, axis=2)  # what a shifted reuse looks like
    generated = _generated_from(sample, rows, outputs, reference_faces=3)
    report = measure_quality(sample, generated)
    change = report["classes"]["disgust"]["source_change"]
    assert change["compared"] == 3 and change["mean"] == 0.0


def test_quality_flags_copies_of_real_faces_as_memorised(make_imageset) -> None:
    sample = make_imageset((2, 8, 2, 2, 2, 2, 8), seed=3)
    disgust = sample.images[sample.labels == label_of("disgust")]
    neutral_rows = np.flatnonzero(sample.labels == label_of("neutral"))
    copies = _generated_from(sample, neutral_rows, disgust.copy())
    report = measure_quality(sample, copies)
    copied = report["classes"]["disgust"]
    assert copied["memorisation"]["generated_to_nearest_real"]["mean"] == 0.0
    assert copied["memorisation"]["near_copy_fraction"] == 1.0
    assert copied["diversity"]["generated_mean_pairwise"] == pytest.approx(
        copied["diversity"]["real_mean_pairwise"]
    )
    sources = sample.images[neutral_rows]
    assert copied["source_change"]["mean"] > 0.05  # disgust and neutral faces differ

    unchanged = generation_quality(sources, disgust, sources)  # G = identity
    assert unchanged["source_change"]["mean"] == 0.0
    assert unchanged["memorisation"]["near_copy_fraction"] == 0.0


def test_quality_with_a_single_real_face_has_no_real_baseline() -> None:
    rng = np.random.default_rng(0)
    real = rng.integers(0, 256, (1, 48, 48), dtype=np.uint8)
    report = generation_quality(rng.integers(0, 256, (3, 48, 48), dtype=np.uint8), real)
    assert report["memorisation"]["real_to_nearest_other_real"] is None
    assert report["memorisation"]["near_copy_fraction"] is None
    assert report["memorisation"]["generated_to_nearest_real"]["min"] > 0.1
    assert report["diversity"]["real_mean_pairwise"] is None


def test_figure_nodes_render_images_the_report_can_embed(make_imageset) -> None:
    sample = make_imageset((4, 5, 4, 4, 4, 4, 6), seed=4)
    neutral_rows = np.flatnonzero(sample.labels == label_of("neutral"))
    identity = _generated_from(sample, neutral_rows, sample.images[neutral_rows].copy())
    fig3 = plot_fig3_samples({"real_columns": 2, "pairs": 3}, sample, identity)
    quality = plot_generation_quality(measure_quality(sample, identity))
    for image in (fig3, quality):
        assert isinstance(image, Image.Image) and image.mode == "RGB" and image.width > 300
