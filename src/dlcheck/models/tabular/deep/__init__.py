"""Deep models for tables, as scikit-learn estimators."""

from dlcheck.models.tabular.deep.estimator import DeepTabularClassifier, DeepTabularRegressor

__all__ = ["DeepTabularClassifier", "DeepTabularRegressor"]
