"""emotion_gan: GAN data augmentation for emotion classification (Zhu et al. 2018) as Kedro.

Importing the package sets OpenMP's wait policy to ``PASSIVE`` unless the user chose one. Why:
with the default policy, OpenMP threads that finish their share of an op spin at the barrier
for a sibling the OS has descheduled; beside one other CPU-heavy process on 2 cores, two
trainings took 3.8× as long as one alone instead of ~2× (``bench/busy_neighbour.py``: 3.79×
unset, 1.73× PASSIVE, 2026-12-02). OpenMP reads the variable when torch loads it, so this must
run before torch is imported — Kedro imports ``emotion_gan.settings`` (and so this module)
before any node does.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
