"""Calling the API as a person or a service account: a token per user, a client that sends it."""

from __future__ import annotations

from rest_framework.test import APIClient

from jingzhun.accounts.tokens import token_create


def token_for(user, days: int = 30) -> str:
    return token_create(user=user, days=days, name="test")[1]


def api_client(user=None, *, token: str | None = None) -> APIClient:
    """An APIClient sending `Authorization: Bearer …` (a new token of `user`, or `token`); anonymous if neither."""
    client = APIClient()
    if user is not None or token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token or token_for(user)}")
    return client


def all_pages(client, url: str, **params) -> list[dict]:
    """Every row of a cursor-paginated list, following `next`."""
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])
