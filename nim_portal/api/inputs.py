"""What an endpoint takes from a request, checked one way in every app's API: the body through an
input serializer, ids (and other whole numbers) from the query string. Bad input is a 400 naming
what is wrong; nothing reaches a service before it passes."""

from rest_framework.exceptions import ValidationError

from nim_portal.ids import parse_id


def validated_input(request, serializer_class, **kwargs) -> dict:
    """The request's body as `serializer_class` validates it; `kwargs` go to the serializer
    (`partial=True`, its `context`, or what its fields' choices depend on)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def id_param(request, name: str, refusal: str, *, required: bool = False) -> int | None:
    """The query parameter `name` as an id (or a version number or a depth: any whole number from
    1 that a database column holds); None when it is absent or empty and not `required`. Anything
    else is refused with 400 and `refusal` under its name."""
    raw = request.query_params.get(name, "")
    if raw == "" and not required:
        return None
    value = parse_id(raw)
    if value is None:
        raise ValidationError({name: refusal})
    return value
