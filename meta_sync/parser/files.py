"""Reading one file of the meta repository safely: its text (no symbolic link, no FIFO, at most
``MAX_FILE_BYTES``, UTF-8), its YAML (no anchor or alias, at most ``MAX_YAML_DEPTH`` levels, the line of each key
recorded) and the optional Markdown files (``election_desc.md``, ``results.md``). No Django here."""

import errno
import os
import stat
from pathlib import Path

import yaml

# Files larger than this are not read: a meta repository holds short hand-written files.
MAX_FILE_BYTES = 2_000_000
# Hand-written YAML nests a few levels (info: - employer: x); deeper nesting is refused before it is built.
MAX_YAML_DEPTH = 20

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe loading, as fast as libyaml allows."""


class _TextLoader(_BaseLoader):
    """Safe loading where every plain scalar stays a string (except empty values, which are null).

    Used for logins and candidate headers: YAML 1.1 would read ``0123`` as the octal number 83 and ``yes`` as
    true, and a GitHub login is neither.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


def _rel(root, path):
    return Path(path).relative_to(root).as_posix()


def _read_text(root, path, report):
    """The file's text, or None (with an error) when it cannot be read safely.

    Opened with ``O_NOFOLLOW`` (a symbolic link is refused even if it appears after a check) and
    ``O_NONBLOCK`` (a FIFO cannot hang the sync); only a regular file of at most ``MAX_FILE_BYTES`` is read.
    """
    rel = _rel(root, path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            report.error(rel, "", "is a symbolic link: not followed (commit the file itself)")
        else:
            report.error(rel, "", f"cannot be read: {exc.strerror or exc}")
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            report.error(rel, "", "is not a regular file")
            return None
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        report.error(rel, "", f"file is larger than {MAX_FILE_BYTES} bytes")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.error(rel, "", "file is not UTF-8 text")
    return None


def _shape_problem(root_node):
    """Why a composed YAML document may not be built (an alias, nesting deeper than ``MAX_YAML_DEPTH``), or
    None, as ``(message, node)``.

    Composing shares one node for an anchor and all its aliases, so a bomb is still small here; this walk
    visits each node once and refuses a node met twice before anything is expanded.
    """
    seen = set()
    stack = [(root_node, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            return "anchors and aliases (&name, *name) are not allowed: write the value out", node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if depth > MAX_YAML_DEPTH:
                return f"nested deeper than {MAX_YAML_DEPTH} levels", node
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            stack.extend((child, depth + 1) for child in children)
    return None


def _key_lines(node, lines, offset):
    """Record in ``lines`` the line of each key of a mapping node and of what its values hold one level down:
    ``key``, ``key.sub`` and ``key[i]`` (and ``key[i].sub``), counted from 1 plus ``offset``."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = str(key.value)
        lines.setdefault(name, key.start_mark.line + 1 + offset)
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                lines.setdefault(f"{name}.{sub.value}", sub.start_mark.line + 1 + offset)
        elif isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines.setdefault(f"{name}[{i}]", item.start_mark.line + 1 + offset)
                if isinstance(item, yaml.MappingNode):
                    for sub, _ in item.value:
                        lines.setdefault(f"{name}[{i}].{sub.value}", sub.start_mark.line + 1 + offset)


def _load_yaml(text, rel, report, loader=_Loader, lines=None, line_offset=0):
    """Parse YAML safely; on failure record an error (with the line) and return None.

    The document is composed, checked by ``_shape_problem``, and only then built into Python values. With a dict
    as ``lines``, the line of each key (see ``_key_lines``) goes into it, the text starting after ``line_offset``
    lines of its file.
    """
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None
        shape = _shape_problem(node)
        if shape is not None:
            message, bad = shape
            line = bad.start_mark.line + 1 + line_offset
            report.error(rel, "", f"refused (line {line}): {message}", line=line)
            return None
        if lines is not None:
            _key_lines(node, lines, line_offset)
        return reader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        where = f" (line {line})" if line is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.error(rel, "", f"unreadable YAML{where}: {problem}", line=line)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # Constructors of the safe loader raise these on values like a 30th of February.
        report.error(rel, "", f"unreadable YAML: {exc}")
    finally:
        reader.dispose()
    return None


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def _read_markdown(root, path, report, what):
    if not path.exists() and not path.is_symlink():
        if what:
            report.warning(_rel(root, path), "", f"missing: the election has no {what}")
        return ""
    text = _read_text(root, path, report)
    return (text or "").strip()
