"""A subject's relations as a graph, laid out and drawn as SVG on the server (decision 073): no script, no library.

The nodes and edges come from ``subjects.associations.related_subjects`` (depth 1–2, the relations in effect);
the layout is radial: the subject in the centre, the subjects one hop away on an inner ring, those two hops away on
an outer ring next to the one they were reached through. The same nodes and edges are the page's table (the
fallback, and what screen readers read). Natural persons are drawn only for viewers entitled to see them
(``persons_shown``): others get an anonymous "natural person" node — never a name or an identity number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongxin.catalog.choices import SubjectKind
from gongxin.subjects.associations import related_subjects
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.models import Subject

WIDTH = 900
HEIGHT = 640
RINGS = (0.0, 170.0, 290.0)
MAX_NODES = 80  # beyond this the graph is unreadable: the table lists everything, the drawing the nearest


@dataclass(frozen=True)
class Node:
    subject_id: int
    label: str
    kind: str  # organization / person
    depth: int
    x: float
    y: float
    shown: bool  # False: an anonymous person (the viewer may not see persons)

    @property
    def is_centre(self) -> bool:
        return self.depth == 0


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    kind: str
    kind_label: str
    share: str  # "25.00 %" or ""

    @property
    def mid_x(self) -> float:
        return (self.source.x + self.target.x) / 2

    @property
    def mid_y(self) -> float:
        return (self.source.y + self.target.y) / 2


@dataclass(frozen=True)
class Graph:
    centre: Node
    nodes: list[Node]
    edges: list[Edge]
    total: int  # related subjects found (the drawing keeps the nearest MAX_NODES)
    width: int = WIDTH
    height: int = HEIGHT


def _label(name: str, kind: str, shown: bool) -> str:
    if kind == SubjectKind.PERSON and not shown:
        return _("Natural person")
    return name


def relation_graph(*, subject: Subject, depth: int = 2, persons_shown: bool) -> Graph:
    """The relation graph of ``subject`` to ``depth`` hops, laid out on rings."""
    found = related_subjects(subject_id=subject.pk, depth=depth)
    total = len(found)
    found = found[:MAX_NODES]
    names = dict(Subject.objects.filter(pk__in=[a.subject_id for a in found]).values_list("pk", "name"))
    cx, cy = WIDTH / 2, HEIGHT / 2
    centre = Node(subject.pk, _label(subject.name, subject.kind, persons_shown), subject.kind, 0, cx, cy,
                  subject.kind != SubjectKind.PERSON or persons_shown)
    placed: dict[int, Node] = {subject.pk: centre}
    first = [a for a in found if a.depth == 1]
    angles: dict[int, float] = {}
    for i, a in enumerate(first):
        angles[a.subject_id] = 2 * math.pi * i / max(len(first), 1) - math.pi / 2
    deeper = [a for a in found if a.depth >= 2]
    by_parent: dict[int, list[int]] = {}
    for a in deeper:
        by_parent.setdefault(a.path[0].subject_id, []).append(a.subject_id)
    spread = 2 * math.pi / max(len(first), 1)
    for parent, children in by_parent.items():
        base = angles.get(parent, 0.0)
        for j, child in enumerate(children):
            offset = (j - (len(children) - 1) / 2) * min(spread / max(len(children), 1), 0.35)
            angles[child] = base + offset
    for a in found:
        ring = RINGS[min(a.depth, len(RINGS) - 1)]
        angle = angles.get(a.subject_id, 0.0)
        shown = a.subject_kind != SubjectKind.PERSON or persons_shown
        placed[a.subject_id] = Node(a.subject_id, _label(names.get(a.subject_id, ""), a.subject_kind, shown),
                                    a.subject_kind, a.depth, round(cx + ring * math.cos(angle), 1),
                                    round(cy + ring * math.sin(angle), 1), shown)
    labels = dict(RelationKind.choices)
    edges: list[Edge] = []
    seen: set[int] = set()
    for a in found:
        previous = subject.pk
        for hop in a.path:
            if hop.relation_id not in seen and previous in placed and hop.subject_id in placed:
                seen.add(hop.relation_id)
                share = f"{float(hop.share_ratio) * 100:.2f} %" if hop.share_ratio is not None else ""
                edges.append(Edge(placed[previous], placed[hop.subject_id], hop.kind,
                                  str(labels.get(hop.kind, hop.kind)), share))
            previous = hop.subject_id
    nodes = sorted(placed.values(), key=lambda n: (n.depth, n.label))
    return Graph(centre=centre, nodes=nodes, edges=edges, total=total)
