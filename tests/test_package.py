"""Importing the package sets a passive OpenMP wait policy, unless the user chose one."""

import os
import subprocess
import sys

CHECK = "import emotion_gan, os, torch; print(os.environ['OMP_WAIT_POLICY'])"


def _policy(env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True,
                            text=True, check=True)  # fmt: skip
    return result.stdout.strip()


def test_the_default_is_passive_and_a_users_choice_wins():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert _policy(env) == "PASSIVE"
    assert _policy({**env, "OMP_WAIT_POLICY": "ACTIVE"}) == "ACTIVE"
