from __future__ import annotations

from pathlib import Path

from tests.rules._fastapi import fixed, fresh_crossfile, lines, project_lines, write_project

__all__ = ["fresh_crossfile"]


def test_loose_fields():
    code = """
    from typing import Optional
    import pydantic as pd
    from sqlmodel import SQLModel

    class Contact(pd.BaseModel):
        email: str
        backup_email: Optional[str] = None

    class UserCreate(SQLModel):
        first_name: str
        password: str

    class Legacy(pd.v1.BaseModel):
        email: str
    """
    assert lines(code, "BP304") == [7, 8, 11, 12, 15]


def test_what_it_leaves_alone():
    code = """
    from typing import Annotated
    from pydantic import BaseModel, EmailStr, Field, field_validator, constr
    from pydantic_settings import BaseSettings
    from sqlmodel import SQLModel

    class UserResponse(BaseModel):
        email: str
        first_name: str

    class Settings(BaseSettings):
        admin_email: str
        password: str

    class AppConfig(BaseModel):
        smtp_email: str

    class User(SQLModel, table=True):
        email: str

    class LoginForm(BaseModel):
        password: str

    class UserCreate(BaseModel):
        email: EmailStr
        first_name: Annotated[str, Field(min_length=1)]
        last_name: str = Field(..., max_length=100)
        password: str

        @field_validator("password")
        @classmethod
        def strong(cls, value: str) -> str:
            return value

    class Smtp(BaseModel):
        smtp_password: str

    class Plain:
        email: str
    """
    assert lines(code, "BP304") == []


def test_email_fix_adds_the_import():
    code = """
    from pydantic import BaseModel

    class Contact(BaseModel):
        email: str | None = None
    """
    assert fixed(code, "BP304") == (
        "\nfrom pydantic import BaseModel, EmailStr\n\nclass Contact(BaseModel):\n"
        "    email: EmailStr | None = None\n"
    )


def test_base_model_of_another_module(tmp_path: Path, fresh_crossfile: None):
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/base.py": "from pydantic import BaseModel\n\nclass Schema(BaseModel):\n    pass\n",
            "app/schemas.py": """
                from app.base import Schema

                class Contact(Schema):
                    email: str
            """,
        },
    )
    assert project_lines(tmp_path, "app/schemas.py", "BP304") == [5]
