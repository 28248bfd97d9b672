"""API keys with scopes: `source:<name>:write`, `closed:read`, `admin`. Only hashes are stored."""

from datenhub.auth.keys import KeyError_, Principal, authenticate, create_key, valid_scope

__all__ = ["KeyError_", "Principal", "authenticate", "create_key", "valid_scope"]
