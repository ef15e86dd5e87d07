"""The one device / precision / optimiser policy of both model families."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from emotion_gan.models.training import runtime
from emotion_gan.models.training.runtime import fused_adam, mixed_precision, resolve_device

CPU = torch.device("cpu")


def test_auto_and_cpu_resolve_and_missing_cuda_is_a_clear_error() -> None:
    assert resolve_device("cpu") == CPU
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(
        ValueError,
        match=r"device 'cuda' requested but CUDA is not available; use 'auto' or 'cpu'",
    ):
        resolve_device("cuda")


@pytest.mark.parametrize("bf16", [False, True])
def test_cpu_uses_bf16_only_when_asked_and_never_scales(bf16: bool, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "cpu_has_native_bf16", lambda: True)
    policy = mixed_precision(CPU, bf16_on_cpu=bf16)
    assert policy.dtype == (torch.bfloat16 if bf16 else None)
    assert not policy.grad_scaler().is_enabled()
    with policy.autocast():
        out = nn.Linear(2, 2)(torch.ones(1, 2))
    assert out.dtype == (torch.bfloat16 if bf16 else torch.float32)


def test_a_cpu_without_native_bf16_runs_fp32_and_says_so(monkeypatch, caplog) -> None:
    """Emulated bf16 is 15-30x slower than fp32 (measured on an AVX2-only EPYC): never use it."""
    monkeypatch.setattr(runtime, "cpu_has_native_bf16", lambda: False)
    runtime._warn_emulated_bf16.cache_clear()
    with caplog.at_level("WARNING"):
        policy = mixed_precision(CPU, bf16_on_cpu=True)
    assert policy.dtype is None
    assert "CPU without native bf16" in caplog.text


def test_native_bf16_detection_answers_a_bool() -> None:
    assert isinstance(runtime.cpu_has_native_bf16(), bool)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_uses_bf16_if_supported_else_fp16_with_a_scaler() -> None:
    cuda = torch.device("cuda")
    policy = mixed_precision(cuda, bf16_on_cpu=False)
    if torch.cuda.is_bf16_supported():
        assert policy.dtype == torch.bfloat16 and not policy.grad_scaler().is_enabled()
    else:
        assert policy.dtype == torch.float16 and policy.grad_scaler().is_enabled()
    assert mixed_precision(cuda, bf16_on_cpu=True, reduced_on_cuda=False).dtype is None


def test_fused_adam_on_cpu() -> None:
    optimiser = fused_adam(nn.Linear(2, 2).parameters(), lr=1e-3, betas=(0.5, 0.999), device=CPU)
    assert optimiser.defaults["fused"] is True
    assert optimiser.defaults["betas"] == (0.5, 0.999)
