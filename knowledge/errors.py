"""One exception family for everything a user can get wrong; messages name the file and the fix."""


class FrontdeskError(Exception):
    """A problem the user can fix; the command line prints it on one line and exits 1."""


class SourceError(FrontdeskError):
    """A guidance source that cannot be read into a bundle (names the file, the line and the fix)."""


class BundleError(FrontdeskError):
    """A bundle that cannot be used; the message names the file and the fix."""


class SignatureError(BundleError):
    """A bundle whose signature is missing, wrong, or from a key that is not trusted."""


class InstallError(BundleError):
    """A bundle that verified but may not be installed (older version, failed integrity check)."""


class PolicyError(FrontdeskError):
    """An admin policy file that is malformed; the app refuses to start rather than ignore it."""


class ModelError(FrontdeskError):
    """A model file that is missing, truncated, of the wrong hash, or will not load."""


class EndpointError(ModelError):
    """An OpenAI-compatible endpoint that is unreachable or answered badly."""
