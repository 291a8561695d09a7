"""The ladder for images: classic features (downscaled pixels, HOG) under linear models and
boosting, and networks (a CNN from scratch, a residual network, a fine-tuned pretrained
backbone when the user has its weights)."""
