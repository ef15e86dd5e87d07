"""Pure PyTorch / numpy: networks, losses, training loops. Never imports Kedro."""
