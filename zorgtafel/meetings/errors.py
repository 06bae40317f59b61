"""The error of the meetings operations: the cases room's error type, so the views and the
API map both the same way (Dutch message, field, HTTP status)."""

from zorgtafel.cases.errors import CaseError


class MeetingError(CaseError):
    """A Dutch message; ``status`` is the HTTP status the API answers with (409: the
    meeting or action is not in a state where this can happen)."""
