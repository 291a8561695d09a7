"""Images: finding the files of a labelled image set (sources.py), reading them into one
bounded array (reading.py), and the image `Dataset` (dataset.py)."""

from dlcheck.data.images.dataset import ImageData, ImageFeatures, ImageInputs, prepare_images

__all__ = ["ImageData", "ImageFeatures", "ImageInputs", "prepare_images"]
