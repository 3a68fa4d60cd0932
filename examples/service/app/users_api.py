"""A users router breaking the FastAPI rules: BP302-BP308 (and BP304 in its schemas)."""

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.database import SessionLocal, get_db
from app.models import User
from app.security import verify_token

router = APIRouter(prefix="/users")


class UserCreate(BaseModel):
    """What a client sends to create a user."""

    email: str
    first_name: str
    password: str


class UserResponse(BaseModel):
    """What the API returns about a user."""

    id: int
    email: str


@router.post("/", response_model=UserResponse)
def create_user(payload: dict, db: Session = Depends(get_db)) -> UserResponse:
    """Create a user from whatever JSON arrives (BP302)."""
    user = User(**payload)
    db.add(user)
    db.commit()
    return UserResponse(id=user.id, email=user.email)


@router.get("/{user_id}")
def get_user(user_id: int, db: Session = Depends(get_db)):
    return db.query(User).filter(User.id == user_id).first()


@router.delete("/{user_id}", status_code=204)
def delete_user(user_id: int, request: Request) -> None:
    """Delete a user after checking the token by hand (BP306, BP308)."""
    claims = verify_token(request.headers.get("authorization", ""))
    if not claims:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    with SessionLocal() as db:
        db.query(User).filter(User.id == user_id).delete()
        db.commit()
