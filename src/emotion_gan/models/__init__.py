"""Pure PyTorch / numpy: networks, losses, training loops. Never imports Kedro, never touches files.

``classifier``: the Table 3 emotion CNN; ``cyclegan``: the face CycleGAN and its training loop;
``toy``: the §4.1 SVMs and point CycleGAN; ``training``: what both families share (device and
precision policy, augmentation kernel, checkpoint protocol); ``persistence``: rebuilding saved
modules.
"""
