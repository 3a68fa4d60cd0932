"""BP411 token-in-query: a credential that FastAPI reads from the URL's query string."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.auth._claims import (
    dependency_of,
    depends_call,
    has_auth_words,
    split_annotation,
)
from precepts.rules.auth._routes import Route, route_of
from precepts.rules.auth.bp409_hardcoded_secret import name_words
from precepts.rules.sqlalchemy._orm import short_name

_TOKEN_NAMES = frozenset(
    {("token",), ("access", "token"), ("api", "key"), ("apikey",), ("auth", "token"),
     ("id", "token"), ("refresh", "token"), ("jwt",), ("bearer", "token"),
     ("session", "token")}
)  # fmt: skip
_SCALARS = frozenset({"str", "Optional", "Union", "Any", "SecretStr"})
# Defaults that make FastAPI read the value from somewhere other than the query string.
_ELSEWHERE = frozenset(
    {"Header", "Cookie", "Body", "Form", "File", "Path", "Depends", "Security", "APIKeyHeader"}
)


_QUERY_SCHEMES = frozenset({"fastapi.security.APIKeyQuery", "fastapi.security.api_key.APIKeyQuery"})


def _source(node: cst.BaseExpression | None) -> str | None:
    """``Query``/``Header``... for a ``Query(...)``-style call, None for a plain default."""
    if isinstance(node, cst.Call):
        return short_name(dotted_name(node.func)) or "?"
    return None


# The first lines of the edge cases below: a router to register routes on.
_ROUTER = "from fastapi import APIRouter\nrouter = APIRouter()\n"


class TokenInQuery(Rule):
    """Flags route parameters such as ``token: str`` that come from the query string."""

    code = "BP411"
    name = "token-in-query"
    family = "auth"
    section = "Security Checklist"
    severity = Severity.ERROR
    message = (
        "Credential read from the query string: take it from a header (`Depends(oauth2_scheme)`)"
    )
    summary = (
        "A parameter of a FastAPI route named `token`, `access_token`, `api_key`, "
        "`auth_token`, `id_token`, `refresh_token`, `jwt` (any case) that FastAPI reads "
        "from the query string: a plain `str`/`Optional[str]` (or unannotated) parameter "
        "that is not in the path, or one declared with `Query(...)` (also in "
        "`Annotated[...]`). WebSocket routes count too. Also FastAPI's `APIKeyQuery(...)` "
        "security scheme, which reads a key from the query string for every route using it."
    )
    why = (
        "URLs are written to access logs, proxy logs, browser history and `Referer` headers: "
        "a token in the query string leaks to everyone who reads them. The standard's "
        "checklist says never to put bearer tokens in URLs; the `Authorization` header "
        "(`OAuth2PasswordBearer`) or an httpOnly cookie keeps them out."
    )
    leaves_alone = (
        "`Header(...)`, `Cookie(...)`, `Body`/`Form` values, `Depends(oauth2_scheme)`, path "
        "parameters (`/reset/{token}`, a one-time link), parameters typed with a model, "
        "functions that are not routes, routes whose path is not a literal, and routes that "
        "authenticate otherwise (`dependencies=[...]` on the decorator, a `Depends`/"
        "`Security` of a user or token dependency): their `token` is a paging cursor or a "
        "signed link."
    )
    bad = (
        Example(
            "from fastapi import APIRouter\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/reports")\n'
            "def reports(token: str) -> list[str]:\n"
            '    """List the caller\'s reports."""\n'
            "    return [token[:4]]\n",
            line=7,
        ),
    )
    good = (
        Example(
            "from fastapi import APIRouter, Depends\n"
            "from fastapi.security import OAuth2PasswordBearer\n"
            "\n"
            "router = APIRouter()\n"
            'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")\n'
            "\n"
            "\n"
            '@router.get("/reports")\n'
            "def reports(token: str = Depends(oauth2_scheme)) -> list[str]:\n"
            '    """List the caller\'s reports."""\n'
            "    return [token[:4]]\n"
        ),
    )
    bad_cases = (
        Example(_ROUTER + '@router.get("/r")\ndef r(access_token: str): ...\n', line=4),
        Example(_ROUTER + '@router.get("/r")\ndef r(API_KEY: str | None = None): ...\n', line=4),
        Example(
            "from fastapi import APIRouter, Query\n"
            "router = APIRouter()\n"
            '@router.get("/r")\n'
            "def r(jwt: str = Query(...)): ...\n",
            line=4,
        ),
        Example(_ROUTER + '@router.websocket("/ws")\nasync def ws(token): ...\n', line=4),
        Example(
            'from fastapi.security import APIKeyQuery\nscheme = APIKeyQuery(name="api_key")\n',
            line=2,
        ),
    )
    good_cases = (
        _ROUTER + '@router.get("/reset/{token}")\ndef reset(token: str): ...',  # path
        "from fastapi import APIRouter, Header\n"
        "router = APIRouter()\n"
        '@router.get("/r")\n'
        "def r(token: str = Header(...)): ...",
        _ROUTER + '@router.get("/r", dependencies=[Depends(current_user)])\ndef r(token: str): ...',
        _ROUTER + "@router.get(PATH)\ndef r(token: str): ...",  # path not a literal
        "def helper(token: str) -> str: ...",  # not a route
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Check ``APIKeyQuery(...)``: a security scheme that reads the key from the URL."""
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if last == "APIKeyQuery" and self.context.facts.qualify(func) in _QUERY_SCHEMES:
            self.report(
                node,
                "`APIKeyQuery` reads the API key from the query string: URLs end up in logs; "
                "use `APIKeyHeader`",
            )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Check the parameters of a route handler."""
        route = route_of(node, self.context.facts)
        if route is None or route.path is None or self._authenticated(node, route):
            return
        params = node.params
        for param in (*params.params, *params.kwonly_params):
            name = param.name.value
            if name_words(name) in _TOKEN_NAMES and name not in route.path_params:
                if self._from_query(param):
                    self.report(
                        param,
                        f"`{name}` is read from the query string: URLs end up in logs; take "
                        "it from a header (`Depends(oauth2_scheme)`)",
                    )

    def _authenticated(self, node: cst.FunctionDef, route: Route) -> bool:
        """The route authenticates elsewhere: a query ``token`` is then a cursor or a link."""
        if route.dependencies:
            return True
        params = node.params
        for param in (*params.params, *params.kwonly_params):
            annotation = param.annotation.annotation if param.annotation else None
            dependency = depends_call(param.default) or split_annotation(annotation)[1]
            target = dependency_of(dependency) if dependency is not None else None
            if target is not None and has_auth_words(dotted_name(target)):
                if name_words(param.name.value) not in _TOKEN_NAMES:
                    return True
        return False

    def _from_query(self, param: cst.Param) -> bool:
        annotation = param.annotation.annotation if param.annotation else None
        core, _ = split_annotation(annotation)
        declared = _source(param.default)
        if (
            isinstance(annotation, cst.Subscript)
            and short_name(dotted_name(annotation.value)) == "Annotated"
        ):
            for element in annotation.slice[1:]:
                if isinstance(element.slice, cst.Index):
                    declared = declared or _source(element.slice.value)
        if declared is not None:
            return declared == "Query"
        if core is None:
            return True
        return (
            short_name(dotted_name(core.value if isinstance(core, cst.Subscript) else core))
            in _SCALARS
        )
