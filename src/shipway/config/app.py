"""``app`` and ``server``: the service's entry point and the kind of server that runs it.

An entry point is what gunicorn loads: ``module:attribute``, or ``module:factory(...)`` called
with literal arguments only (gunicorn evaluates them the same way, with ``ast.literal_eval``).
"""

import ast
import re
from typing import Annotated, Literal

from pydantic import AfterValidator

_ENTRY_POINT = re.compile(
    r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:(?P<name>[A-Za-z_]\w*)(?P<call>\(.*\))?$"
)


def check_entry_point(value: str) -> str:
    match = _ENTRY_POINT.match(value)
    if match is None:
        raise ValueError("not in the allowed form")
    if match["call"] is not None:
        _check_literal_call(match["name"] + match["call"])
    return value


def _check_literal_call(expression: str) -> None:
    try:
        call = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise ValueError(f"{expression} is not a function call") from None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ValueError(f"{expression} is not one call of a function by its name")
    if any(keyword.arg is None for keyword in call.keywords):
        raise ValueError(f"{expression}: ** arguments are not literals")
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
        try:
            ast.literal_eval(argument)
        except ValueError:
            raise ValueError(
                f"argument {ast.unparse(argument)} of {expression} is not a literal "
                "(a string, number, boolean, None, or a list, tuple or dict of them)"
            ) from None


EntryPoint = Annotated[str, AfterValidator(check_entry_point)]
ServerChoice = Literal["auto", "wsgi", "asgi"]
