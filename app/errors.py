"""Errors that services raise; `app.main` turns them into HTTP responses.

Services know nothing of HTTP: they raise these with a message a researcher understands.
"""


class FieldbenchError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(FieldbenchError):
    """The input is wrong; nothing was changed."""

    status_code = 422


class NotFound(FieldbenchError):
    """No such thing, or the user may not know it exists."""

    status_code = 404


class Forbidden(FieldbenchError):
    """The user may see this but not change it."""

    status_code = 403


class Conflict(FieldbenchError):
    """It already exists, or it clashes with what is stored."""

    status_code = 409


class TooLarge(FieldbenchError):
    status_code = 413


class Unauthorised(FieldbenchError):
    """Not signed in, or the credentials are wrong."""

    status_code = 401
