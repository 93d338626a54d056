"""How the theme's templates are compiled: Jinja2's code generator, with two changes that make a page cheaper to
render and leave its bytes as they were.

- **Escaping.** Jinja2 compiles ``{{ value }}`` under autoescape to ``markupsafe.escape(value)``, a Python function
  that wraps the escaped text in a :class:`~markupsafe.Markup` (a second Python call) only for the page to join it
  into one string. Here it compiles to :func:`escape_output`, which escapes the same characters the same way
  (MarkupSafe's own C function) and gives the text as it is joined. What a template marks safe (``Markup``, an
  object with ``__html__``) is taken as it is, as before; autoescape stays on for every template.
- **One piece per run of output.** Jinja2 yields every piece of a run of text and values (``<dt>``, the value,
  ``</dt><dd>`` …) on its own, and each piece passes up through every template the page extends or includes (a
  record page: some 160 pieces, each through three generators). Here a run between two statements is joined first
  and yielded as one piece.

Only the compiled code changes: the template language, the undefined-variable checks, the line numbers an error names
and the text each template gives are Jinja2's. On a record page of the generated sets the two took a third off the
template's time (``benchmarks/templates.py --pages``).
"""

from __future__ import annotations

from typing import Any

import jinja2.compiler
import jinja2.nodes
from markupsafe import escape

try:  # the C function markupsafe.escape calls (MarkupSafe 3); without it, escape itself
    from markupsafe import _escape_inner as _escape_text  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # pragma: no cover (MarkupSafe 2)
    def _escape_text(text: str, /) -> str:
        return str(escape(text))


def escape_output(value: Any) -> str:
    """``value`` as the page shows it: :func:`markupsafe.escape`'s text, without its ``Markup`` around it (the page
    joins it into plain text at once). A value that is HTML already (``__html__``) is taken as it is."""
    if type(value) is str:
        return _escape_text(value)  # type: ignore[no-any-return,unused-ignore]
    if hasattr(value, "__html__"):
        html = value.__html__()
        return html if isinstance(html, str) else str(html)
    return _escape_text(str(value))  # type: ignore[no-any-return,unused-ignore]


class ThemeCodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator with :func:`escape_output` for autoescaped values and a run of output yielded as one
    piece (see the module's docstring)."""

    def visit_Template(self, node: jinja2.nodes.Template, frame: jinja2.compiler.Frame | None = None) -> None:
        """The template's module, and :func:`escape_output` imported into it (read when a page is rendered)."""
        super().visit_Template(node, frame)
        self.writeline(f"from {__name__} import escape_output")

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame,
                          finalize: jinja2.compiler.CodeGenerator._FinalizeInfo) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)

    def visit_Output(self, node: jinja2.nodes.Output, frame: jinja2.compiler.Frame) -> None:
        """A run of output: Jinja2's, but yielded as one joined piece when it has several (outside a buffer)."""
        if frame.buffer is not None or (frame.require_output_check and self.has_known_extends):
            super().visit_Output(node, frame)
            return
        finalize = self._make_finalize()
        body: list[list[Any] | jinja2.nodes.Expr] = []
        for child in node.nodes:  # constants joined at compile time, as Jinja2 does
            try:
                if not (finalize.const or isinstance(child, jinja2.nodes.TemplateData)):
                    raise jinja2.nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (jinja2.nodes.Impossible, Exception):
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        if len(body) < 2:
            super().visit_Output(node, frame)
            return
        if frame.require_output_check:
            self.writeline("if parent_template is None:")
            self.indent()
        self.writeline('yield "".join((')
        self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(self._output_const_repr(item) + ",")
            else:
                self.newline(item)
                self._output_child_pre(item, frame, finalize)
                self.visit(item, frame)
                self._output_child_post(item, frame, finalize)
                self.write(",")
        self.outdent()
        self.writeline("))")
        if frame.require_output_check:
            self.outdent()
