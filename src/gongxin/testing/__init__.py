"""The shared test kit of Gongxin, a pytest plugin (registered by the repository's root ``conftest.py``).

What every app's tests share lives here, never in another app's ``tests`` package:

- ``factories`` — subjects, source units and records written through the owning apps' services (so every
  row is valid and its clocks come from the real policies), and factory-boy factories for accounts and
  API clients;
- ``subjects`` — subjects with valid, unique USCCs and RINs (the subjects app's defaults);
- ``payloads`` — valid payloads of the seeded catalog items, and the codes they use;
- ``personas`` — who acts: ``user_create``, ``signed_in`` (the login helper), ``ApiCaller``, and the
  fixtures ``anon_viewer``, ``public_user``/``public_viewer``, ``staff``/``staff_viewer``,
  ``auditor``/``auditor_viewer``, ``admin``/``admin_viewer``: a bare persona name is always a ``User``,
  ``<persona>_viewer`` always its ``Viewer``;
- ``records`` — the record store's fixtures (``seeded``, two source units and their operators);
- ``browser`` — headless Debian Chromium through Playwright, and the browser sign-in;
- ``races`` — running one action in threads released together (row-lock tests on PostgreSQL).

Importing this package needs no configured Django; its modules do (pytest-django sets it up first).
"""
