"""The §4.1 toy experiment's models in plain scikit-learn/PyTorch: linear SVMs with their cheap
rebalancing baselines, and a CycleGAN of small MLPs on points (the 2-D Gaussian data they learn
from is a source: ``emotion_gan.sources.toy_gaussians``)."""
