"""Messages about a PostgreSQL URL never repeat its password (they reach terminals, logs and CI output)."""

from __future__ import annotations

import pytest

from datenhub.store import StoreError, open_store
from datenhub.store.postgres.connection import parse_url


@pytest.mark.parametrize("url", [
    "postgresql://hub:SECRETPW@db.example:5432/hub?pool_max=abc",
    "postgresql://hub@db.example:5432/hub?password=SECRETPW&pool_min=x",
])
def test_bad_pool_size_names_the_url_without_its_password(url: str) -> None:
    with pytest.raises(StoreError, match="pool_min and pool_max") as caught:
        parse_url(url)
    assert "SECRETPW" not in str(caught.value)
    assert "db.example:5432/hub" in str(caught.value)


def test_unknown_scheme_names_the_url_without_its_password() -> None:
    with pytest.raises(StoreError, match="unknown database URL scheme 'postgressql'") as caught:
        open_store("postgressql://hub:SECRETPW@db.example/hub")
    assert "SECRETPW" not in str(caught.value)


def test_redact_url_keeps_everything_but_the_password() -> None:
    from datenhub.store.registry import redact_url

    assert redact_url("postgresql://u:pw@h:5/db?schema=s") == "postgresql://u:***@h:5/db?schema=s"
    assert redact_url("postgresql://u@h/db?sslmode=require&password=pw") == \
        "postgresql://u@h/db?sslmode=require&password=***"
    assert redact_url("sqlite:///./datenhub.db") == "sqlite:///./datenhub.db"


def test_unreachable_server_points_at_the_url_given_not_one_variable() -> None:
    # `db copy --to URL` and `--db URL` give it without DATENHUB_DATABASE_URL, which the message named
    with pytest.raises(StoreError, match="Check that the server runs") as caught:
        open_store("postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    assert "in the database URL are right" in str(caught.value)
    assert "DATENHUB_DATABASE_URL" not in str(caught.value)


@pytest.mark.parametrize(("query", "message"), [
    ("pool_max=0", "pool_max=0 in .* must be at least 1 and at least pool_min \\(1\\)"),
    ("pool_min=5&pool_max=2", "pool_max=2 in .* must be at least 1 and at least pool_min \\(5\\)"),
    ("schema=a&schema=b", "schema given more than once"),
])
def test_pool_sizes_and_options_that_would_be_changed_silently_are_errors(query: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        parse_url(f"postgresql://hub:SECRETPW@db.example:5432/hub?{query}")


def test_pool_sizes_as_given() -> None:
    parsed = parse_url("postgresql://hub@db.example/hub?pool_min=2&pool_max=4")
    assert (parsed.pool_min, parsed.pool_max) == (2, 4)
