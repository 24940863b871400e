"""Rendering of the org tree's thousands of position and person rows.

The department level stays in the template; the unit → position → people rows are produced here
with ``format_html`` (every value escaped) because the template engine costs ~50 µs per tag and a
city has thousands of these rows.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from qingdan.org.staffing import Bar
from qingdan.org.tree import DepartmentNode

register = template.Library()


def bar_html(label: str, bar: Bar) -> str:
    if bar.approved is None:
        extra = f" · 实有{bar.filled}" if bar.filled else ""
        return f'<span class="qd-bar-label qd-muted">未核定编制{extra}</span>'
    over = f'<span class="qd-bar-over" style="width: {bar.over_pct}%"></span>' if bar.over else ""
    vacant = f' · <span class="qd-vacant">空缺{bar.vacant}</span>' if bar.vacant else ""
    over_label = f' · <span class="qd-over">超编{bar.over}</span>' if bar.over else ""
    label = escape(label)
    return (
        f'<span class="qd-bar" role="img" aria-label="{label}核定{bar.approved}名，实有{bar.filled}名">'
        f'<span class="qd-bar-filled" style="width: {bar.filled_pct}%"></span>{over}</span>'
        f'<span class="qd-bar-label">{label} 核定{bar.approved} · 实有{bar.filled}{vacant}{over_label}</span>'
    )


@register.simple_tag
def staffing_bars(staffing: object) -> SafeString:
    bars = staffing.labelled_bars if staffing is not None else []
    if not bars:
        return mark_safe('<span class="qd-bar-label qd-muted">未核定编制</span>')
    return mark_safe("".join(bar_html(label, bar) for label, bar in bars))  # noqa: S308


@register.simple_tag
def org_units(dept: DepartmentNode) -> SafeString:
    out: list[str] = []
    for unit in dept.units:
        bars = staffing_bars(unit.staffing) if unit.staffing is not None else ""
        out.append(
            format_html(
                '<div class="qd-unit"><div class="qd-unit-head"><span class="qd-unit-name">{}</span>{}</div>'
                '<ul class="qd-positions">',
                unit.name,
                bars,
            )
        )
        if not unit.positions:
            out.append('<li class="qd-muted">未设岗位</li>')
        for p in unit.positions:
            people = "".join(
                format_html(
                    '<span class="qd-person{}">{}{}{}</span>',
                    " qd-over" if person.over_quota else "",
                    person.name,
                    format_html("<sup>{}</sup>", person.tag) if person.tag else "",
                    mark_safe("<sup>超</sup>") if person.over_quota else "",
                )
                for person in p.people
            )
            out.append(
                format_html(
                    '<li><span class="qd-pos-name">{}</span>{}<span class="qd-muted">{} · {}/{}</span>{}{}{}</li>',
                    p.name,
                    mark_safe('<span class="qd-tag qd-tag-key">重点</span>') if p.is_key else "",
                    p.category,
                    p.holders,
                    p.headcount,
                    mark_safe(people),  # noqa: S308 - built from format_html above
                    format_html('<span class="qd-vacant">空缺{}</span>', p.vacant)
                    if p.vacant
                    else "",
                    format_html('<span class="qd-over">超员{}</span>', p.over) if p.over else "",
                )
            )
        out.append("</ul></div>")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped by format_html
