"""The independent judge: a face classifier that only *measures* generated images.

Trained on faces no other part of the pipeline sees (FER2013: the Training split minus the 20 %
sample; embedded default: faces rendered from another seed), so its verdict on generated faces
cannot be flattered by the generators' own losses or by the classifiers they augment — the role
Inception plays for FID, but trained on faces. Trained with the classifier's loop
(:func:`emotion_gan.models.classifier.train_classifier`), so it shares its precision, NaN guard
and seeding.
"""

from emotion_gan.models.judge.network import JudgeCNN, build_judge

__all__ = ["JudgeCNN", "build_judge"]
