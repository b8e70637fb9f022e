"""The API's JSON parser: every request body the API takes is one JSON object of named fields."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONObjectParser(JSONParser):
    """JSON, refused with a 400 unless it is an object: an array, a string or a number where
    the endpoint expects named fields is bad input, not a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError('Send one JSON object of named fields, such as {"title": "…"}.')
        return data
