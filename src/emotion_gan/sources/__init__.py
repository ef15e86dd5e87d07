"""Seeded data sources in pure numpy: the embedded face renderer and the §4.1 toy Gaussians.

Why not ``models``: they make data, they do not learn. Why not ``datasets``: they never touch
files and never import Kedro, so notebooks, benches and tests can call them directly;
``datasets.SyntheticFacesDataset`` wraps the renderer as the catalog's default raw source.
"""
