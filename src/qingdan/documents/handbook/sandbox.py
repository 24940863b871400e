"""The Jinja2 sandbox a region's Word template runs in (docxtpl is given this environment).

A template is untrusted input: anyone with the 编办's back-office rights can upload one, and its
text is Jinja2. The sandbox keeps it to printing the documented variables:

- ``SandboxedEnvironment``: no attribute starting with ``_`` (``''.__class__``), no
  ``str.format`` (its format spec can allocate gigabytes), and an unsafe access raises at once
  instead of rendering empty;
- undefined variables raise (``StrictUndefined``), so a typo is reported, not silently blank;
- the template is checked before it runs: no macros, ``{% call %}``, ``{% set %}``/``{% with %}``,
  includes, imports or inheritance, no recursive loops, at most two nested loops, and loops only
  over the data we pass (not over literals);
- what does run is budgeted: loop iterations over our data and ``range()`` (which is ours),
  calls, attribute lookups and output size, plus a wall-clock deadline; ``*``, ``**``, ``%``
  and ``+`` are checked so ``'x' * 10**9`` never allocates;
- only harmless filters remain (no ``safe``, ``format``, ``center``, ``indent``, ``batch`` …);
  output is autoescaped, so a value or a literal can never inject XML into the document.

Any breach raises :class:`TemplateRefused` with a Chinese message; nothing is generated.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_ITERATIONS = 100_000
MAX_CALLS = 200_000
MAX_NUMBER_ARG = 10_000
MAX_STRING = 1_000_000
MAX_LOOP_DEPTH = 2
DEADLINE_SECONDS = 10.0

ALLOWED_FILTERS = [
    "abs",
    "attr",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "groupby",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
]
DENIED_ATTRIBUTES = frozenset({"format", "format_map", "mro", "gi_frame", "gi_code"})

FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Macro: "宏（macro）",
    nodes.CallBlock: "调用块（call）",
    nodes.Include: "包含（include）",
    nodes.Import: "导入（import）",
    nodes.FromImport: "导入（from … import）",
    nodes.Extends: "继承（extends）",
    nodes.Block: "块（block）",
    nodes.Assign: "赋值（set）",
    nodes.AssignBlock: "赋值（set）",
    nodes.With: "with 语句",
}


class TemplateRefused(Exception):
    """A template that cannot be used; ``message`` is the Chinese text shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Budget:
    """What one rendering may spend, shared by every part of the document it renders."""

    def __init__(self, seconds: float = DEADLINE_SECONDS) -> None:
        self.deadline = time.monotonic() + seconds
        self.iterations = 0
        self.calls = 0

    def tick(self, n: int = 1) -> None:
        self.calls += n
        if self.calls > MAX_CALLS or time.monotonic() > self.deadline:
            raise TemplateRefused("模板运行超出时间或运算次数限制，已停止，未生成文档。")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise TemplateRefused(
                f"模板中的循环次数超过上限（{MAX_ITERATIONS}次），已停止，未生成文档。"
            )
        if self.iterations % 1000 == 0:
            self.tick()


class Counted(Sequence):
    """A list handed to templates: every step of a loop over it is counted against the budget."""

    def __init__(self, items: Sequence[Any], budget: Budget) -> None:
        self._items = list(items)
        self._budget = budget

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            self._budget.iterate()
            yield item

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return Counted(self._items[index], self._budget)
        return self._items[index]


def _walk(node: nodes.Node, depth: int) -> None:
    for kind, what in FORBIDDEN_NODES.items():
        if isinstance(node, kind):
            raise TemplateRefused(f"模板中不能使用{what}，请只使用说明中列出的变量和简单循环。")
    if isinstance(node, nodes.For):
        if node.recursive:
            raise TemplateRefused("模板中不能使用递归循环（recursive）。")
        if isinstance(node.iter, nodes.List | nodes.Tuple | nodes.Dict | nodes.Const):
            raise TemplateRefused("模板中的循环只能遍历文档提供的数据（如 units），不能遍历常量。")
        if depth >= MAX_LOOP_DEPTH:
            raise TemplateRefused(f"模板中的循环嵌套不能超过{MAX_LOOP_DEPTH}层。")
        _walk(node.iter, depth)
        for child in (*node.body, *node.else_):
            _walk(child, depth + 1)
        if node.test is not None:
            _walk(node.test, depth + 1)
        return
    for child in node.iter_child_nodes():
        _walk(child, depth)


class BudgetTemplate(Template):
    """Renders chunk by chunk, stopping when the output or the time budget is spent."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env: HandbookEnvironment = self.environment  # type: ignore[assignment]
        ctx = self.new_context(dict(*args, **kwargs))
        out: list[str] = []
        size = 0
        for chunk in self.root_render_func(ctx):
            size += len(chunk)
            if size > env.max_output:
                raise TemplateRefused("模板生成的内容过大，已停止，未生成文档。")
            env.budget.tick()
            out.append(chunk)
        return "".join(out)


class HandbookEnvironment(SandboxedEnvironment):
    """The sandbox docxtpl renders a handbook template with (see the module docstring)."""

    template_class = BudgetTemplate
    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self, budget: Budget | None = None, max_output: int = 50_000_000) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self.budget = budget or Budget()
        self.max_output = max_output
        self.filters = {name: self.filters[name] for name in ALLOWED_FILTERS}
        self.globals = {"range": self._range}

    # -- checked before anything runs -------------------------------------------------------------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        _walk(tree, 0)
        return tree

    # -- checked while it runs --------------------------------------------------------------------
    def _range(self, *args: int) -> Iterator[int]:
        for arg in args:
            if not isinstance(arg, int) or abs(arg) > MAX_ITERATIONS:
                raise TemplateRefused(f"range() 的参数不能超过{MAX_ITERATIONS}。")
        for i in range(*args):
            self.budget.iterate()
            yield i

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in DENIED_ATTRIBUTES:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise TemplateRefused(f"模板访问了不允许的属性“{attribute}”，出于安全原因已拒绝。")

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.tick()
        for value in (*args, *kwargs.values()):
            if isinstance(value, int | float) and abs(value) > MAX_NUMBER_ARG:
                raise TemplateRefused(f"模板调用的参数过大（超过{MAX_NUMBER_ARG}），已拒绝。")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.budget.tick()
        if operator == "%" and isinstance(left, str):
            raise TemplateRefused("模板中不能使用 % 格式化字符串。")
        if operator == "**":
            if not isinstance(left, int | float) or not isinstance(right, int | float):
                raise TemplateRefused("模板中的乘方只能用于数字。")
            if right > 64 or (abs(left) > 1 and right * math.log10(abs(left)) > 15):
                raise TemplateRefused("模板中的乘方结果过大，已拒绝。")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(n, int)
                    and len(seq) * max(n, 0) > MAX_STRING
                ):
                    raise TemplateRefused("模板中重复字符串的结果过大，已拒绝。")
        if (
            operator == "+"
            and all(isinstance(x, str | list | tuple) for x in (left, right))
            and len(left) + len(right) > MAX_STRING
        ):
            raise TemplateRefused("模板中拼接的结果过大，已拒绝。")
        return super().call_binop(context, operator, left, right)


def security_error(exc: SecurityError) -> TemplateRefused:
    return TemplateRefused(f"模板中有不安全的操作，已拒绝：{exc}")
