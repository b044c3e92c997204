"""The one error hierarchy: configuration, transient (retried) and permanent (recorded) errors."""


class CommuniqueError(Exception):
    """Base of every error communique raises on purpose."""


class ConfigError(CommuniqueError):
    """A settings, sources or rules file is wrong; the message names file, line and field."""


class TransientError(CommuniqueError):
    """Worth retrying later: a host unreachable, a notification target down, a database busy."""


class PermanentError(CommuniqueError):
    """Retrying will not help (bad input); it is recorded against the document and work goes on."""
