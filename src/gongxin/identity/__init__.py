"""Unified identity: sign-in through a city's OpenID Connect provider, bound to credit subjects, with the
assurance level of each sign-in deciding what the login may do (docs/identity.md)."""
