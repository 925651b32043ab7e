"""The repository's root conftest: it only registers the shared test kit (gongxin.testing) as a plugin."""

pytest_plugins = ["gongxin.testing.plugin"]
