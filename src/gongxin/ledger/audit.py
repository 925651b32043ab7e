"""The audit of the log: recompute every leaf from the stored objects and the tree from the leaves, and say where
they differ (docs/ledger.md).

``audit_run()`` makes three passes, each streaming in chunks (memory bounded whatever the size):

1. **the tree** — the leaves in index order: the indexes are consecutive, every perfect subtree they form equals
   the stored node (``node``), and the root of all of them is the tree head's (``root``);
2. **every leaf** — each leaf (and each queued entry) is recomputed from its object by the kind's function
   (``ledger.kinds``; in every form a leaf of its kind may have been logged in, e.g. a record version's v2 and v1
   leaf): a hash equal to none is a row changed behind the platform's back (``changed``: a direct SQL UPDATE of a
   version, or of a record's subject, with the triggers dropped, is one); an object that no longer exists has an
   ``extra`` entry; a second entry of one object is a ``duplicate``;
3. **every object** — each kind lists everything that must have a leaf: an object without an entry (integrated
   or queued) is ``missing`` (a write that skipped the log).

Every run is stored (``AuditRun``) with its counts and its first ``FINDINGS_KEPT`` findings, for the auditors'
page and ``gongxin ledger audit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.core import clock
from gongxin.ledger import kinds, merkle
from gongxin.ledger.models import AuditRun, AuditStatus, Leaf, Node, QueuedEntry, TreeHead, node_key

CHUNK = 5000
FINDINGS_KEPT = 1000

# What a finding says, in words (the auditors' page shows these, never the codes).
FINDING_LABELS: dict[str, Any] = {
    "changed": _("The stored object differs from what the log recorded"),
    "missing": _("An object has no entry in the log"),
    "extra": _("An entry of the log has no object any more"),
    "duplicate": _("An object has more than one entry in the log"),
    "unknown_kind": _("An entry of a kind this platform does not know"),
    "gap": _("The leaf indexes are not consecutive"),
    "node": _("A stored tree node differs from the hashes of its leaves"),
    "root": _("The tree head differs from the root of the leaves"),
}


class _Findings:
    def __init__(self) -> None:
        self.kept: list[dict[str, Any]] = []
        self.count = 0

    def add(self, what: str, **details: Any) -> None:
        self.count += 1
        if len(self.kept) < FINDINGS_KEPT:
            self.kept.append({"what": what, **details})


def _tree_pass(findings: _Findings, head: TreeHead) -> int:
    """Pass 1: indexes consecutive, stored nodes equal to recomputed ones, head root equal to the leaves' root."""
    stack: list[tuple[int, bytes]] = []
    expected = 0
    while True:
        rows = list(Leaf.objects.filter(index__gte=expected, index__lt=head.size).order_by("index")
                    .values_list("index", "leaf_hash")[:CHUNK])
        if not rows:
            break
        completed: list[tuple[int, int, bytes]] = []
        for index, digest in rows:
            if index != expected:
                findings.add("gap", index=expected, found=index)
                return expected  # the tree past a gap cannot be checked
            level, node, position = 0, bytes(digest), index
            while stack and stack[-1][0] == level:
                node = merkle.node_hash(stack.pop()[1], node)
                level += 1
                position >>= 1
                completed.append((level, position, node))
            stack.append((level, node))
            expected += 1
        keys = [node_key(level, position) for level, position, _node in completed]
        stored: dict[int, bytes] = {}
        for start in range(0, len(keys), 500):
            stored.update((k, bytes(h)) for k, h in Node.objects.filter(id__in=keys[start:start + 500])
                          .values_list("id", "hash"))
        for level, position, node in completed:
            if stored.get(node_key(level, position)) != node:
                findings.add("node", level=level, position=position)
    root = merkle.EMPTY_ROOT
    if stack:
        root = stack[-1][1]
        for _level, left in reversed(stack[:-1]):
            root = merkle.node_hash(left, root)
    if expected != head.size or root != bytes(head.root):
        findings.add("root", size=head.size, leaves=expected)
    return expected


def _compare(findings: _Findings, kind: str, entries: list[tuple[int, int, bytes, int | None]]) -> None:
    """Pass 2 on one chunk of one kind: ``entries`` are (ref, sub, leaf hash, leaf index or None when queued)."""
    leaf_kind = kinds.kinds().get(kind)
    if leaf_kind is None:
        for ref, sub, _digest, index in entries:
            findings.add("unknown_kind", kind=kind, ref=ref, sub=sub, index=index)
        return
    recomputed = leaf_kind.leaves(sorted({(ref, sub) for ref, sub, _d, _i in entries}))
    for ref, sub, digest, index in entries:
        data = recomputed.get((ref, sub))
        if data is None:
            findings.add("extra", kind=kind, ref=ref, sub=sub, index=index)
        elif not any(merkle.leaf_hash(form) == digest for form in ((data,) if isinstance(data, bytes) else data)):
            # none of the forms the object's leaf may have been logged in (a record version: v2, v1)
            findings.add("changed", kind=kind, ref=ref, sub=sub, index=index)


def _leaves_pass(findings: _Findings) -> int:
    """Pass 2: every leaf and queued entry recomputed from its object."""
    checked = 0
    after = -1
    while True:
        rows = list(Leaf.objects.filter(index__gt=after).order_by("index")
                    .values_list("index", "kind", "ref", "sub", "leaf_hash")[:CHUNK])
        if not rows:
            break
        by_kind: dict[str, list[tuple[int, int, bytes, int | None]]] = {}
        for index, kind, ref, sub, digest in rows:
            by_kind.setdefault(kind, []).append((ref, sub, bytes(digest), index))
        for kind, entries in by_kind.items():
            _compare(findings, kind, entries)
        checked += len(rows)
        after = rows[-1][0]
    after_id = 0
    while True:
        queued = list(QueuedEntry.objects.filter(id__gt=after_id).order_by("id")
                      .values_list("id", "kind", "ref", "sub", "leaf_hash")[:CHUNK])
        if not queued:
            break
        by_kind = {}
        for _id, kind, ref, sub, digest in queued:
            by_kind.setdefault(kind, []).append((ref, sub, bytes(digest), None))
        for kind, entries in by_kind.items():
            _compare(findings, kind, entries)
        after_id = queued[-1][0]
    return checked


def _objects_pass(findings: _Findings) -> int:
    """Pass 3: every object of every kind has exactly one entry (integrated or queued)."""
    checked = 0
    for name, leaf_kind in sorted(kinds.kinds().items()):
        after: tuple[int, int] | None = None
        while True:
            refs = leaf_kind.refs(after, CHUNK)
            if not refs:
                break
            ids = sorted({ref for ref, _sub in refs})
            counted: dict[tuple[int, int], int] = {}
            for model in (Leaf, QueuedEntry):
                for start in range(0, len(ids), 500):
                    for ref, sub in model.objects.filter(kind=name, ref__in=ids[start:start + 500]).values_list(
                            "ref", "sub"):
                        counted[(ref, sub)] = counted.get((ref, sub), 0) + 1
            for ref, sub in refs:
                n = counted.get((ref, sub), 0)
                if n == 0:
                    findings.add("missing", kind=name, ref=ref, sub=sub)
                elif n > 1:
                    findings.add("duplicate", kind=name, ref=ref, sub=sub, entries=n)
            checked += len(refs)
            after = refs[-1]
    return checked


def audit_run(*, actor_label: str = "", progress: Callable[[str], None] | None = None) -> AuditRun:
    """Run the three passes and store the run (read-only otherwise: it changes nothing it audits)."""
    head = TreeHead.objects.filter(pk=1).first() or TreeHead(pk=1, size=0, root=merkle.EMPTY_ROOT,
                                                             updated_at=clock.now())
    run = AuditRun.objects.create(started_at=clock.now(), status=AuditStatus.RUNNING, tree_size=head.size,
                                  root=bytes(head.root), actor_label=actor_label[:200])
    findings = _Findings()
    if progress:
        progress("tree")
    _tree_pass(findings, head)
    if progress:
        progress("leaves")
    run.leaves_checked = _leaves_pass(findings)
    if progress:
        progress("objects")
    run.objects_checked = _objects_pass(findings)
    run.queued = QueuedEntry.objects.count()
    run.differences = findings.count
    run.findings = findings.kept
    run.status = AuditStatus.PASSED if findings.count == 0 else AuditStatus.FAILED
    run.finished_at = clock.now()
    run.save()
    return run


def finding_text(finding: dict[str, Any]) -> str:
    """A finding in words (for pages and the command)."""
    return str(FINDING_LABELS.get(str(finding.get("what")), finding.get("what")))
