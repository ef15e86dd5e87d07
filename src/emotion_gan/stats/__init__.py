"""Statistics of the project: pure functions on numbers (numpy/scipy), never Kedro, never files.

* :mod:`.classification` — confusion matrices, per-class scores, macro-F1, the paper's
  one-vs-rest "All", and the seed summary of a variant's classification metrics.
* :mod:`.paired_tests` — McNemar, the paired bootstrap over test images, and the seed-paired
  Wilcoxon / t / sign comparison of the toy experiment.
* :mod:`.summary` — mean ± sd over seeds.
* :mod:`.verdict` — which variant wins, by an explicit criterion, and GAN vs cheap alternatives.
* :mod:`.generation_quality` — memorisation, diversity and source change of generated faces.
* :mod:`.rounding` — largest-remainder (Hamilton) rounding of quotas to integer counts.
"""
