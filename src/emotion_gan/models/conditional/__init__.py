"""One generator for every target emotion (StarGAN-style, Choi et al. 2018), pure PyTorch.

``networks``: the conditional generator G(x, c), the discriminator with a realness head and an
emotion head, and :class:`~.networks.TargetedGenerator` (G bound to one target class, so that
``generate_synthetic`` uses it exactly like a CycleGAN's G); ``losses``: the domain
classification and reconstruction terms; ``trainer``: the loop, on the machinery shared with
the CycleGAN (``models.training.adversarial``).
"""
