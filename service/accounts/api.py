"""The JSON API's view of accounts: who am I (with a bearer token)."""

from __future__ import annotations

import msgspec
from litestar import Request, get

from service.web.access import SIGNED_IN, access
from service.web.problems import problem_responses

from .principal import Principal


class Me(msgspec.Struct):
    username: str
    display_name: str
    roles: list[str]
    enterprises: list[int]


@get(
    "/api/v1/me",
    summary="The account this token belongs to",
    tags=["accounts"],
    opt=access(SIGNED_IN),
    responses=problem_responses(401),
)
async def me(request: Request) -> Me:
    principal: Principal = request.user
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        roles=sorted(principal.roles),
        enterprises=sorted(principal.enterprises),
    )
