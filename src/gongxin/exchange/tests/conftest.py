"""Exchange nodes for tests: this platform configured as the Ningbo city node (330200), and other nodes —
the Haishu district (330203), the nation (100000) — as in-memory identities registered as its peers, so that
packages travel between them within one database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gongxin.accounts.viewer import SYSTEM
from gongxin.exchange.keys import NodeIdentity, local_node
from gongxin.exchange.nodes import node_configure
from gongxin.exchange.tests.kit import register, remote_node


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def city(db: None, data_dir: Path) -> NodeIdentity:
    node_configure(code="330200", name="宁波市", actor=SYSTEM)
    return local_node()


@pytest.fixture
def district(city: NodeIdentity) -> NodeIdentity:
    node = remote_node("330203", "海曙区", "district")
    register(node, direction="downstream")
    return node


@pytest.fixture
def nation(city: NodeIdentity) -> NodeIdentity:
    node = remote_node("100000", "全国信用信息共享平台", "national")
    register(node, direction="upstream")
    return node
