"""The judge network: shapes, its feature layer, and the post-hoc prior adjustment."""

import pytest
import torch

from emotion_gan.datasets import TorchModelDataset
from emotion_gan.models.judge import build_judge


def test_logits_and_features_have_the_configured_sizes():
    judge = build_judge(0, widths=[4, 8, 8], feature_width=12).eval()
    pixels = torch.randint(0, 256, (5, 1, 48, 48)).float()
    assert judge(pixels).shape == (5, 7)
    assert judge.penultimate_features(pixels).shape == (5, 12)
    assert build_judge(0, widths=[4, 8, 8], feature_width=12).state_dict().keys() == (
        judge.state_dict().keys()
    )


@pytest.mark.parametrize("bad", [{"widths": []}, {"widths": [4, 0]}, {"dropout": 1.0},
                                 {"widths": [4] * 5}])  # fmt: skip
def test_bad_architectures_are_refused_with_the_reason(bad):
    with pytest.raises(ValueError, match="JudgeCNN"):
        build_judge(0, **bad)


def test_prior_adjustment_turns_a_flat_judge_towards_the_rarest_class():
    judge = build_judge(0, widths=[4], feature_width=4, dropout=0.0).eval()
    last = judge.logits[-1]
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.zeros_(last.bias)  # every class equally likely before the adjustment
    judge.adjust_for_prior([500, 20, 500, 900, 600, 400, 600])
    pixels = torch.zeros(3, 1, 48, 48)
    assert judge(pixels).argmax(dim=1).tolist() == [1, 1, 1]  # disgust, the rarest
    assert torch.allclose(judge.log_prior.exp().sum(), torch.tensor(1.0))


@pytest.mark.parametrize("counts", [[1, 2, 3], [5, 0, 5, 5, 5, 5, 5]])
def test_prior_adjustment_needs_one_positive_count_per_class(counts):
    with pytest.raises(ValueError, match="7 positive class counts"):
        build_judge(0, widths=[4]).adjust_for_prior(counts)


def test_the_adjustment_is_saved_with_the_model(tmp_path):
    judge = build_judge(0, widths=[4], feature_width=4)
    judge.adjust_for_prior([1, 2, 3, 4, 5, 6, 7])
    dataset = TorchModelDataset(filepath=str(tmp_path / "judge.pt"))
    dataset.save(judge)
    assert torch.equal(dataset.load().log_prior, judge.log_prior)
