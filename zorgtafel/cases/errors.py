"""The one error type of the cases operations, mapped by the web views and the API."""


class CaseError(ValueError):
    """A Dutch message; ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 422, fields: dict | None = None):
        super().__init__(message)
        self.field = field
        self.status = status
        self.fields = fields or ({field: message} if field else {})
