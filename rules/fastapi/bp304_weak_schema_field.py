"""BP304 weak-schema-field: Pydantic fields the standard constrains left loose."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability
from precepts.rule import Change, Example, InsertAfter, Option, Replace, Rule
from precepts.rules.fastapi import _routes

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.rule import FixSpec

_EMAIL = re.compile(r"(^|_)email(_address)?$", re.IGNORECASE)
_PASSWORD = re.compile(r"^(new_)?password\d?$", re.IGNORECASE)
# Classes that take a password to check it (a login, a confirmation), not to set it.
_CHECKS_PASSWORD = re.compile(
    r"Login|Signin|SignIn|Auth|Ldap|LDAP|Token|Delete|Verify|Confirm|Credential"
)
_SETTINGS_NAME = re.compile(r"(Settings|Config|Configuration)$")
_CONSTRAINTS = frozenset(
    {"min_length", "max_length", "pattern", "regex", "min_items", "max_items", "gt", "ge"}
)
_CONSTRAINED_TYPES = frozenset({"constr", "conint", "SecretStr", "EmailStr", "StringConstraints"})
_VALIDATORS = frozenset({"validator", "field_validator"})


# The first line of the edge cases below: the import of their models' base.
_MODEL = "from pydantic import BaseModel\n"


class WeakSchemaField(Rule):
    """Flags Pydantic fields that should carry the standard's validation."""

    code = "BP304"
    name = "weak-schema-field"
    family = "fastapi"
    section = "Request/Response Schemas"
    message = "This schema field is not validated the way the standard asks"
    summary = (
        "In a Pydantic model (`BaseModel`, `SQLModel` without `table=True`, v1 or v2, also "
        "through a base class of another module): a field named `email` (or `*_email`) "
        "typed `str`; a `password` field typed `str` without `Field(min_length=...)`, "
        "`constr(...)` or a validator; and in request schemas (`*Create`, `*Update`, "
        "`*In`, `*Request`...) the text fields the standard's example constrains "
        "(`first_name`, `last_name`; the `constrained-fields` option adds more) left without "
        "`min_length`/`max_length`/`pattern`."
    )
    why = (
        "A schema is the API's input validation: `str` accepts `not-an-email` and an empty "
        "password, and unbounded names reach the database (and its column limits) as they "
        "come. `EmailStr` and `Field(min_length=..., max_length=...)` reject bad input with "
        "a 422 before any code runs, and document the limits in OpenAPI."
    )
    leaves_alone = (
        "Response schemas (`*Response`, `*Out`, `*Read`, `*Public`...: they describe what the "
        "server already stored), settings classes (`BaseSettings`, or named `*Settings`/"
        "`*Config`), `password` fields of classes that check a password rather than set one "
        "(`LoginForm`, `SigninForm`, `LdapForm`, `TokenRequest`, `DeleteAccountRequest`...) "
        "and the current `password` beside a `new_password`, fields like "
        "`smtp_password` (a credential, not a user's password), table models "
        "(`SQLModel, table=True`) and classes that are not Pydantic models."
    )
    fix_description = (
        "`email: str` → `email: EmailStr`, importing `EmailStr` from `pydantic` (it needs "
        "the `email-validator` package: unsafe)."
    )
    fix_applicability = Applicability.UNSAFE
    options = {
        "constrained-fields": Option(
            ["first_name", "last_name"],
            "Text fields of request schemas that must carry a length constraint.",
        ),
    }
    bad = (
        Example(
            "from pydantic import BaseModel\n"
            "\n"
            "\n"
            "class Contact(BaseModel):\n"
            '    """A contact."""\n'
            "\n"
            "    email: str\n",
            line=7,
            fixed="from pydantic import BaseModel, EmailStr\n"
            "\n"
            "\n"
            "class Contact(BaseModel):\n"
            '    """A contact."""\n'
            "\n"
            "    email: EmailStr\n",
        ),
    )
    good = (
        Example(
            "from pydantic import BaseModel, EmailStr, Field\n"
            "\n"
            "\n"
            "class UserCreate(BaseModel):\n"
            '    """What a client sends to create a user."""\n'
            "\n"
            "    email: EmailStr\n"
            "    first_name: str = Field(..., min_length=1, max_length=100)\n"
            "    password: str = Field(..., min_length=8, max_length=255)\n"
            "\n"
            "\n"
            "class UserResponse(BaseModel):\n"
            '    """What the API returns about a user."""\n'
            "\n"
            "    email: str\n"
            "    first_name: str\n"
        ),
    )
    bad_cases = (
        Example(_MODEL + "class Contact(BaseModel):\n    billing_email: str\n", line=3),
        Example(_MODEL + "class UserCreate(BaseModel):\n    password: str\n", line=3),
        Example(_MODEL + "class UserCreate(BaseModel):\n    last_name: str\n", line=3),
        Example(
            _MODEL + "class UserUpdate(BaseModel):\n    first_name: str | None = None\n", line=3
        ),
    )
    good_cases = (
        _MODEL + "class UserResponse(BaseModel):\n    email: str",
        _MODEL + "class LoginForm(BaseModel):\n    password: str",  # checks, not sets
        _MODEL + "class Mailer(BaseModel):\n    smtp_password: str",  # a credential
        _MODEL + "class PasswordChange(BaseModel):\n"
        "    password: str\n"
        "    new_password: str = Field(min_length=8)",
        "from pydantic_settings import BaseSettings\n"
        "class AppSettings(BaseSettings):\n"
        "    admin_email: str",
        "from sqlmodel import SQLModel\nclass User(SQLModel, table=True):\n    email: str",
        "class Contact:\n    email: str",  # not a Pydantic model
    )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Check the fields of a top-level Pydantic model."""
        if len(self.context.ancestors) != 1:
            return
        kind = _routes.pydantic_models(self.context).get(node.name.value)
        role = _routes.schema_role(node.name.value)
        if kind != "model" or role == "response" or not isinstance(node.body, cst.IndentedBlock):
            return
        if _SETTINGS_NAME.search(node.name.value):
            return  # a settings class by its name (a base of the project's own)
        validated = _validated_fields(node)
        if _CHECKS_PASSWORD.search(node.name.value):
            validated.update(("password", "new_password"))
        if _declares(node, "new_password"):
            validated.add("password")  # beside a new one, `password` is the current one
        constrained = set(self.option("constrained-fields"))
        for statement in node.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    self._field(small, role == "request", constrained, validated)

    def _field(
        self, field: cst.AnnAssign, request: bool, constrained: set[str], validated: set[str]
    ) -> None:
        name = field.target.value  # type: ignore[attr-defined]
        text = _plain_str(self.context, field.annotation.annotation)
        if text is None or _has_constraint(self.context, field):
            return
        if _EMAIL.search(name):
            self.report(
                field,
                f"`{name}: str` accepts any text: type it `EmailStr`",
                fix=self._email_fix(text),
            )
        elif _PASSWORD.search(name) and name not in validated:
            self.report(
                field,
                f"`{name}` has no strength rule: use `Field(..., min_length=8)` (and a validator)",
            )
        elif request and name in constrained and name not in validated:
            self.report(
                field,
                f"`{name}` of a request schema has no length limit: use "
                "`Field(..., min_length=1, max_length=100)`",
            )

    def _email_fix(self, text: cst.Name) -> FixSpec | None:
        changes: list[Change] = [Replace(text, "EmailStr")]
        facts = self.context.facts
        if facts.imports.get("EmailStr", "").endswith("EmailStr"):
            return self.fix("Type it `EmailStr`", *changes)
        last = self.context.module_query(_routes.last_from_import, "pydantic")
        if last is None:
            return None
        changes.append(InsertAfter(last, ", EmailStr"))
        return self.fix("Type it `EmailStr` (imported from pydantic)", *changes)


def _plain_str(context: RuleContext, annotation: cst.BaseExpression) -> cst.Name | None:
    """The ``str`` of ``str`` / ``Optional[str]`` / ``str | None``, else None."""
    members = _routes.union_members(context, annotation)
    if len(members) == 1 and isinstance(members[0], cst.Name) and members[0].value == "str":
        return members[0]
    return None


def _has_constraint(context: RuleContext, field: cst.AnnAssign) -> bool:
    value = field.value
    if isinstance(value, cst.Call):
        name = _routes.short(dotted_name(value.func))
        if name in {"Field", "Query", "Body"} or name in _CONSTRAINED_TYPES:
            keywords = {arg.keyword.value for arg in value.args if arg.keyword is not None}
            return bool(keywords & _CONSTRAINTS) or name in _CONSTRAINED_TYPES
    annotation = field.annotation.annotation
    return isinstance(annotation, cst.Subscript) and _routes.short(
        dotted_name(annotation.value)
    ) not in {"Optional", "Union"}


def _declares(node: cst.ClassDef, name: str) -> bool:
    """Tell whether a class body annotates a field of that name."""
    return any(
        isinstance(small, cst.AnnAssign)
        and isinstance(small.target, cst.Name)
        and small.target.value == name
        for statement in node.body.body  # type: ignore[union-attr]
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )


def _validated_fields(node: cst.ClassDef) -> set[str]:
    """Fields named by ``@validator("x")`` / ``@field_validator("x")`` in the class."""
    names: set[str] = set()
    for statement in node.body.body:  # type: ignore[union-attr]
        if not isinstance(statement, cst.FunctionDef):
            continue
        for decorator in statement.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and _routes.short(dotted_name(call.func)) in _VALIDATORS:
                names.update(
                    value
                    for arg in call.args
                    if (value := _routes.string_value(arg.value)) is not None
                )
    return names
