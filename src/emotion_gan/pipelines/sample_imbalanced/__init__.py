"""sample_imbalanced pipeline."""
