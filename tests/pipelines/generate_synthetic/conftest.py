"""Run these tiny-tensor tests on one intra-op thread.

Why: with several OpenMP threads, every small op ends in a barrier; on a shared, loaded machine
a descheduled worker stalls that barrier for a whole time slice, which made a 3-step CycleGAN
run take ~13 s instead of ~0.1 s here. Tiny tensors gain nothing from a second thread anyway.
"""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def single_intra_op_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
