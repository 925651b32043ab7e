"""Every topic of the event catalog reads as words (core.events.LABELS, #18 point 1): pages show the label, in
both languages, never the topic; an unknown code is "a platform event", not itself."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from gongxin.core import events


def test_every_topic_has_a_label_in_both_languages() -> None:
    assert sorted(events.LABELS) == sorted(events.CATALOG)
    for name in events.CATALOG:
        with translation.override("zh-hans"):
            chinese = events.topic_label(name)
        with translation.override("en"):
            english = events.topic_label(name)
        assert chinese and english and chinese != english, name
        assert "." not in chinese and "_" not in english, name


def test_the_template_filter_and_an_unknown_code() -> None:
    template = Template("{% load labels %}{{ action|topic_label }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"action": events.COMMITMENT_SIGNED})) == "签署信用承诺"
        assert template.render(Context({"action": "nobody.knows.this"})) == "平台事件"
    with translation.override("en"):
        assert template.render(Context({"action": events.COMMITMENT_SIGNED})) == "Commitment signed"
