"""Calls to other services: BP601, BP602 (HTTP), BP605 (emoji), BP607, BP608 (configuration)."""

import logging
import os

import requests
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

logger = logging.getLogger(__name__)

DEBUG = True
INVENTORY_URL = "http://inventory-service:8080/api"
PAYMENTS_TOKEN = os.getenv("PAYMENTS_TOKEN", "")

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])


async def reserve_stock(order_id: int) -> dict:
    """Reserve the stock of an order in the inventory service."""
    response = requests.post(f"{INVENTORY_URL}/reservations", json={"order": order_id})
    logger.info("🚀 reservation sent for order %s", order_id)
    return response.json()
