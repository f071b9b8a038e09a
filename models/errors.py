"""The model layer's errors: part of the one family (knowledge.errors.FrontdeskError), so the command line and the window treat them alike."""

from knowledge.errors import FrontdeskError


class ModelError(FrontdeskError):
    """A model file that is missing, truncated, of the wrong hash, or will not load."""


class EndpointError(ModelError):
    """An OpenAI-compatible endpoint that is unreachable or answered badly."""
