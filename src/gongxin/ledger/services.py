"""Writes of the log: append entries (in the writer's transaction) and integrate them into the tree.

``entries_append`` is called by the apps that log objects (records, reports, rewards) inside the transaction
that writes the objects: one multi-row INSERT per call into the unsequenced queue, no lock, so parallel writers
(the ingest batches of decision 058) never wait for each other. A rolled-back write leaves no entry; a committed
one always has one.

``ledger_integrate`` (the ``ledger_integrate`` task, enqueued after every commit that queued entries, and
``gongxin ledger integrate``) is the one sequencer: under the tree head's row lock it takes queued entries in
batches, gives them the next leaf indexes, writes the leaves and every perfect subtree they complete (the node
table), deletes them from the queue and moves the tree head — one transaction per batch, so a crash loses
nothing and a rerun continues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from gongxin.core import clock
from gongxin.ledger import merkle
from gongxin.ledger.models import Leaf, Node, QueuedEntry, TreeHead, node_key

INTEGRATE_BATCH = 20_000
APPEND_BATCH = 1_000
READ_CHUNK = 900  # SQLite's host parameters
READ_CHUNK_POSTGRESQL = 10_000


def entries_append(*, kind: str, refs: Sequence[tuple[int, int]], leaf_data: Sequence[bytes]) -> int:
    """Queue one leaf per object: ``refs[i]`` (``(ref, sub)``, e.g. a record and its version number) has the leaf
    content ``leaf_data[i]`` (canonical JSON, docs/ledger.md). Must run inside the transaction that writes the
    objects. Set-based: executemany in batches of ``APPEND_BATCH`` rows (COPY on PostgreSQL)."""
    if len(refs) != len(leaf_data):
        raise ValueError("one leaf per reference")
    if not refs:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("entries_append must run inside the transaction of the objects it logs")
    now = clock.now()
    rows = [(kind, ref, sub, merkle.leaf_hash(data)) for (ref, sub), data in zip(refs, leaf_data, strict=True)]
    ops = connection.ops
    table = ops.quote_name(QueuedEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} (kind, ref, sub, leaf_hash, queued_at) FROM STDIN") as copy:
                for kind_, ref, sub, digest in rows:
                    copy.write_row((kind_, ref, sub, digest, now))
        else:
            at = ops.adapt_datetimefield_value(now)
            sql = f"INSERT INTO {table} (kind, ref, sub, leaf_hash, queued_at) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608
            for start in range(0, len(rows), APPEND_BATCH):
                cursor.executemany(sql, [(*row, at) for row in rows[start:start + APPEND_BATCH]])
    _schedule_integrate()
    return len(rows)


def _integrate_already_waiting(task: Any) -> bool:
    """True when the database task backend holds an integration that has not started yet: it will integrate this
    transaction's entries too, so an ingest of many chunks queues one integration, not one per chunk (as the
    outbox's dispatch does)."""
    from django_tasks import task_backends

    if not type(task_backends[task.backend]).__module__.startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def _enqueue_integrate() -> None:
    from gongxin.ledger.tasks import ledger_integrate_task

    if _integrate_already_waiting(ledger_integrate_task):
        return
    ledger_integrate_task.enqueue()


def _schedule_integrate() -> None:
    # One integration per transaction is enough: it reads every entry committed so far.
    if any(entry[1] is _enqueue_integrate for entry in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_integrate)


@dataclass(frozen=True)
class IntegrateResult:
    integrated: int
    size: int
    root: bytes


def _head_locked() -> TreeHead:
    head = TreeHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        TreeHead.objects.get_or_create(pk=1, defaults={"size": 0, "root": merkle.EMPTY_ROOT,
                                                       "updated_at": clock.now()})
        head = TreeHead.objects.select_for_update().get(pk=1)
    return head


def nodes_read(keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of the perfect subtrees ``(level, index)``: level 0 from the leaves, the others from the node
    table — two queries by primary key whatever their number."""
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in keys if level == 0]
    nodes = {node_key(level, index): (level, index) for level, index in keys if level > 0}
    step = READ_CHUNK_POSTGRESQL if connection.vendor == "postgresql" else READ_CHUNK
    for start in range(0, len(leaves), step):
        for index, digest in Leaf.objects.filter(index__in=leaves[start:start + step]).values_list("index",
                                                                                                   "leaf_hash"):
            found[(0, index)] = bytes(digest)
    ids = list(nodes)
    for start in range(0, len(ids), step):
        for key, digest in Node.objects.filter(id__in=ids[start:start + step]).values_list("id", "hash"):
            found[nodes[key]] = bytes(digest)
    return found


def _integrate_batch(batch: int) -> tuple[int, TreeHead]:
    with transaction.atomic():
        head = _head_locked()
        queued = list(QueuedEntry.objects.order_by("id").values_list("id", "kind", "ref", "sub", "leaf_hash")[:batch])
        if not queued:
            return 0, head
        size = head.size
        edge = merkle.root_nodes(size)
        known = nodes_read(edge)
        missing = [key for key in edge if key not in known]
        if missing:
            raise RuntimeError(f"the tree's right edge is missing nodes {missing[:3]}: run the audit")
        stack: list[tuple[int, bytes]] = [(level, known[(level, index)]) for level, index in edge]
        leaves: list[Leaf] = []
        nodes: list[Node] = []
        for offset, (_id, kind, ref, sub, digest) in enumerate(queued):
            index = size + offset
            digest = bytes(digest)
            leaves.append(Leaf(index=index, kind=kind, ref=ref, sub=sub, leaf_hash=digest))
            level, node, position = 0, digest, index
            while stack and stack[-1][0] == level:
                node = merkle.node_hash(stack.pop()[1], node)
                level += 1
                position >>= 1
                nodes.append(Node(id=node_key(level, position), hash=node))
            stack.append((level, node))
        root = stack[-1][1]
        for _level, left in reversed(stack[:-1]):
            root = merkle.node_hash(left, root)
        Leaf.objects.bulk_create(leaves, batch_size=2000)
        Node.objects.bulk_create(nodes, batch_size=2000)
        ids = [row[0] for row in queued]
        for start in range(0, len(ids), 900):
            QueuedEntry.objects.filter(id__in=ids[start:start + 900]).delete()
        head.size = size + len(queued)
        head.root = root
        head.updated_at = clock.now()
        head.save(update_fields=["size", "root", "updated_at"])
        return len(queued), head


def ledger_integrate(*, batch: int = INTEGRATE_BATCH, limit: int | None = None) -> IntegrateResult:
    """Integrate queued entries (all of them, or about ``limit``) into the tree; one transaction per batch.
    Safe to run concurrently with writers and with itself (the tree head's row lock serializes sequencers)."""
    total = 0
    head: Any = None
    if not QueuedEntry.objects.exists():  # nothing to do: no lock taken
        head = tree_head_row()
        return IntegrateResult(integrated=0, size=head.size, root=bytes(head.root))
    while limit is None or total < limit:
        step = batch if limit is None else min(batch, limit - total)
        done, head = _integrate_batch(step)
        total += done
        if done < step:
            break
    if head is None:
        head = tree_head_row()
    return IntegrateResult(integrated=total, size=head.size, root=bytes(head.root))


def tree_head_row() -> TreeHead:
    head = TreeHead.objects.filter(pk=1).first()
    if head is None:
        return TreeHead(pk=1, size=0, root=merkle.EMPTY_ROOT, updated_at=clock.now())
    return head
