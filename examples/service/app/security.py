"""Token helpers the auth routes depend on (see auth.py): BP405, BP406, BP408."""

import hashlib
import os
from typing import Any, Dict

import jwt

SECRET = os.environ["SIGNING_KEY"]


def create_token(user_id: int) -> str:
    return jwt.encode({"sub": str(user_id)}, SECRET, algorithm="HS256")


def get_current_user(token: str) -> Dict[str, Any]:
    return jwt.decode(token, SECRET)


def read_id_token(id_token: str) -> dict:
    return jwt.decode(id_token, SECRET, algorithms=["RS256"])


def password_digest(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()
