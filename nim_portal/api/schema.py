"""The API schema's answers that every operation can give, added in one place.

Each view documents what it answers on success and its own refusals (a 409 conflict, a specific
404); what any operation may answer besides (bad input, no or a lapsed sign-in, a refusal, a
missing or unreadable record, a page past the end, the database too busy) is added here, so that
the schema describes every answer the API really gives.
"""

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused: `detail`, or each refused field's messages.",
    "properties": {"detail": {"description": "What went wrong, for a person to read."}},
    "additionalProperties": True,
}
ANSWERS_OF_EVERY_OPERATION = {
    "400": "Refused input: the messages say why; nothing changed.",
    "401": "Not signed in: the API token is missing, wrong or expired.",
    "403": "Signed in, but not allowed to do this (or signed in by session without CSRF).",
    "404": "No such record, not one you may read, or a page past the end of the list.",
    "503": "The database is too busy to answer in time: nothing changed; try again.",
}
HTTP_METHODS = {"get", "put", "patch", "post", "delete"}


def add_the_answers_of_every_operation(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the error answers every operation can give,
    keeping any a view documents itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ANSWERS_OF_EVERY_OPERATION.items():
                answer = responses.setdefault(status, {"description": description})
                answer.setdefault("content", error)
    return result
