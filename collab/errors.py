from django import forms


class ServiceError(Exception):
    """A business rule said no; ``field`` names the input at fault, if any.

    Views turn it into a form error, the API into a field-level 400.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def apply_service_error(form: forms.Form, exc) -> None:
    """Put a ServiceError on its field when the form has it, else on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
