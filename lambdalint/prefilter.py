"""Which handler-code rules can report anything in a file, judged from its text before LibCST.

Parsing a file with LibCST and resolving its scopes costs tens of milliseconds; a substring
search costs microseconds. Each rule here has a test that is true for every file the rule could
report in (it may be true for files it will not report in): a client constructor's module name
for LL102, ``invoke`` for LL103, a secret-like word or a credential's shape for LL101. A rule
without an entry always runs. A file that no rule needs is only checked for syntax errors with
Python's own parser; when that finds one, the file goes the full way so that the LL001 finding
is exactly the one LibCST gives.

The rules may also say it themselves: ``PythonRule.might_fire(text, options)``; both must agree
that a rule cannot fire before it is skipped. ``LAMBDALINT_NO_PREFILTER=1`` turns all of this
off (the tests compare both ways).
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence

ENV_DISABLE = "LAMBDALINT_NO_PREFILTER"

Options = Dict[str, Dict[str, Any]]


def enabled() -> bool:
    return os.environ.get(ENV_DISABLE, "") in ("", "0")


class Text:
    """One file's text, with what Python's parser says about it, computed at most once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower: Optional[str] = None
        self._tree: Optional[ast.AST] = None
        self._parsed = False
        self._strings: Optional[str] = None

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @property
    def tree(self) -> Optional[ast.AST]:
        """The ``ast`` tree, or None when Python's parser refuses the file."""
        if not self._parsed:
            self._parsed = True
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # invalid escapes warn on newer Pythons
                    self._tree = compile(self.text, "<lambdalint>", "exec", ast.PyCF_ONLY_AST,
                                         dont_inherit=True)
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                self._tree = None
        return self._tree

    def deep(self, limit: int = 100) -> bool:
        """Nesting deeper than ``limit``: LibCST's analysis may give up on such a file (LL001,
        too deeply nested), so it goes the full way to say so exactly as without the filter."""
        tree = self.tree
        if tree is None:
            return True
        stack = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
        return False

    @property
    def strings_and_names(self) -> str:
        """Every string literal as Python evaluates it (escapes, implicit concatenation, adjacent
        constants joined) and every identifier: what a rule sees that the raw text may hide."""
        if self._strings is None:
            tree = self.tree
            if tree is None:
                self._strings = self.text
            else:
                parts: List[str] = []
                names: List[str] = []
                for node in ast.walk(tree):
                    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                        value = node.value
                        parts.append(value if isinstance(value, str) else
                                     value.decode("latin-1"))
                    elif isinstance(node, ast.Name):
                        names.append(node.id)
                    elif isinstance(node, ast.Attribute):
                        names.append(node.attr)
                    elif isinstance(node, ast.keyword) and node.arg:
                        names.append(node.arg)
                    elif isinstance(node, ast.arg):
                        names.append(node.arg)
                self._strings = "".join(parts) + "\n" + " ".join(parts) + "\n" + " ".join(names)
        return self._strings


# -- LL101 ----------------------------------------------------------------------------------------

def _secret_words() -> FrozenSet[str]:
    """Every word that can end a secret-like name, from the shared secret detection itself."""
    from lambdalint import secrets

    words = {"key", "secret", "token", "cred", "authorization", "pw", "pass"}
    for attribute in ("_PASSWORD_WORDS", "_WEAK_PASSWORD_WORDS"):
        words.update(getattr(secrets, attribute, ()))
    words.update(suffix for suffix, _ in getattr(secrets, "_FUSED", ()))
    # Keep the shortest: "pass" covers "password", "passwd"...
    return frozenset(w for w in words if not any(o != w and o in w for o in words))


_SECRET_WORDS: Optional[FrozenSet[str]] = None


def _secret_shape() -> "re.Pattern[str]":
    from lambdalint import secrets

    return getattr(secrets, "_SHAPE_HINT", re.compile(r"[\s\S]"))


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _ll101(text: Text, options: Dict[str, Any]) -> bool:
    global _SECRET_WORDS
    if _SECRET_WORDS is None:
        _SECRET_WORDS = _secret_words()
    extra = [_squash(str(e)) for e in options.get("extra-secret-names", ()) or ()]
    if any(e == "" for e in extra):
        return True

    def hit(candidate: str) -> bool:
        lowered = candidate.lower()
        if any(word in lowered for word in _SECRET_WORDS):
            return True
        if _secret_shape().search(candidate):
            return True
        return bool(extra) and any(e in _squash(candidate) for e in extra)

    # Escapes and concatenation can spell a word the raw text does not hold.
    return hit(text.text) or hit(text.strings_and_names)


# -- LL102 ----------------------------------------------------------------------------------------

_CLIENT_ROOTS: Optional[FrozenSet[str]] = None


def _root(qualified: str) -> str:
    parts = [p for p in qualified.strip().split(".") if p]
    if not parts:
        return ""
    return parts[-1] if parts[0] == "builtins" else parts[0]


def _ll102(text: Text, options: Dict[str, Any]) -> bool:
    """A client is a call whose qualified name is a known constructor: the module it comes from
    (``boto3``, ``redis``...) is written in the file, in an import at least."""
    global _CLIENT_ROOTS
    if _CLIENT_ROOTS is None:
        from lambdalint.rules import clients

        _CLIENT_ROOTS = frozenset(_root(name) for name in clients.CONSTRUCTORS)
    roots = set(_CLIENT_ROOTS)
    for extra in options.get("extra-clients", ()) or ():
        root = _root(str(extra))
        if not root:
            return True
        roots.add(root)
    return any(root in text.text for root in roots)


# -- LL103 ----------------------------------------------------------------------------------------

def _ll103(text: Text, options: Dict[str, Any]) -> bool:
    return "invoke" in text.text  # the rule itself is inactive otherwise


CHECKS: Dict[str, Callable[[Text, Dict[str, Any]], bool]] = {
    "LL101": _ll101,
    "LL102": _ll102,
    "LL103": _ll103,
}


def might_collect_actions(text: Text) -> bool:
    """The AWS actions of a handler come from calls on a ``client``/``resource``/
    ``create_client`` result."""
    return "client" in text.text or "resource" in text.text


def rules_needed(text: Text, rule_ids: Sequence[str], options: Options,
                 classes: Optional[Dict[str, type]] = None) -> List[str]:
    """The rules of ``rule_ids`` that may report something in ``text``, in the same order."""
    needed = []
    for rule_id in rule_ids:
        check = CHECKS.get(rule_id)
        rule_options = options.get(rule_id, {}) or {}
        if check is not None and not check(text, rule_options):
            continue
        cls = (classes or {}).get(rule_id)
        might_fire = getattr(cls, "might_fire", None)
        if might_fire is not None and not might_fire(text.text, rule_options):
            continue
        needed.append(rule_id)
    return needed

