"""What both model families (the CycleGANs and the emotion CNN) share to train.

``runtime``: device, mixed-precision and optimiser policy; ``augment``: the one shift-and-mirror
kernel; ``checkpoints``: the store protocol trainers save to (files are ``datasets``' business);
``fields``: the one type check of the settings dataclasses.
"""
