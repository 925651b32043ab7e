"""A local OpenID Connect provider for the demo and the tests (decision 056): django-oauth-toolkit's OIDC support
in a process of its own, with its own settings (``gongxin.identity.provider.settings``) and its own SQLite file,
on loopback. It stands in for a province's unified identity service: its accounts are the people of a JSON
file (username, password and the claims the service would assert: name, RIN or USCC, assurance level).

Run: ``python -m gongxin.identity.provider --dir DIR [--port 0] --client ID:SECRET:REDIRECT_URI ...``; it prints
``issuer <url>`` once it listens. Never a production provider: a city connects its own (docs/identity.md).
"""
