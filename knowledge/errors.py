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

