"""The §4.1 toy experiment in plain numpy/scikit-learn/PyTorch: 2-D Gaussian classes, linear
SVMs with their cheap rebalancing baselines, and a CycleGAN of small MLPs on points."""
