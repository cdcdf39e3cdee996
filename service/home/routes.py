"""The home page (`/`): for a visitor, the results on public notice and how to sign
in; for a signed-in person, a block per role with what waits for them."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get
from litestar.response import Template

from service.campaigns.rules import today
from service.web.access import PUBLIC, access

from .blocks import home_blocks
from .figures import notices_running


@get("/", name="home", opt=access(PUBLIC), include_in_schema=False)
async def home(request: Request) -> Template:
    now = dt.datetime.now(dt.UTC)
    principal = request.scope.get("user")
    if principal is None:
        return Template("home/public.html", context={"notices": await notices_running(now)})
    on = today()
    context = {"blocks": await home_blocks(principal, now, on), "now": now, "today": on}
    return Template("home/dashboard.html", context=context)


ROUTES = [home]
