"""Shapes shared by every JSON endpoint."""

from pydantic import BaseModel


class ErrorOut(BaseModel):
    """Every refused request answers with one reason."""

    detail: str


def errors(*codes: int) -> dict[int | str, dict]:
    """OpenAPI `responses=` entries for the error codes an endpoint can return."""
    text = {400: "Bad request", 401: "Not signed in or bad token", 403: "Viewer or coder may not",
            404: "Not found, or not a member of the project", 409: "Already exists or clashes",
            413: "Over the upload limit", 422: "Invalid input"}
    return {code: {"model": ErrorOut, "description": text.get(code, "Error")} for code in codes}
