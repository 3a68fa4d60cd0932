"""Auth routes: BP401, BP402, BP403, BP404, BP407, BP410, BP411, BP412.

The claims dependency comes from security.py: the rules follow it across modules.
"""

from typing import Any, Dict

from fastapi import APIRouter, Depends, HTTPException

from .models import Order
from .security import get_current_user

router = APIRouter()


@router.get("/me")
def me(current_user: Order = Depends(get_current_user)):
    return current_user


@router.post("/orders/{order_id}/claim")
def claim(order_id: int, current_user: Dict[str, Any] = Depends(get_current_user)):
    order = Order(id=order_id)
    order.owner_id = current_user["id"]
    order.updated_by_id = current_user["sub"]
    order.label = current_user["first_name"]
    if current_user.get("role") != "admin":
        raise HTTPException(status_code=403)
    return order


@router.post("/signup")
def signup(user, data):
    user.password = data.password
    return user


@router.get("/export")
def export(token: str):
    if not token:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return []
