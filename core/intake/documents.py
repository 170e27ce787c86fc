"""Small JSON/YAML documents from users (scenarios, column mappings), read within limits.

A document larger than ``GREENPRINT_SCENARIO_MAX_KB`` or nested deeper than
``GREENPRINT_SCENARIO_MAX_DEPTH`` is refused before it is parsed, with a message that
says which limit it broke: a 50 MB file or a 100,000-deep array never reaches the parser.
"""

from __future__ import annotations

import json

from core.errors import InputError
from core.i18n import lazy
from core.settings import get_settings

BYTES_PER_KB = 1024


def nesting_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside strings (linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    quote = ""
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                in_string = False
        elif ch in "\"'":
            in_string, quote = True, ch
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _object_depth(value, level: int = 1) -> int:
    if isinstance(value, dict):
        return max((_object_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_object_depth(v, level + 1) for v in value), default=level)
    return level - 1


def check_size(n_bytes: int, name: str) -> None:
    most = get_settings().scenario_max_kb
    if n_bytes > most * BYTES_PER_KB:
        raise InputError(lazy("'{name}' is {size:,.0f} KB, over the limit of {most:,.0f} KB for "
                              "a scenario, mapping or degree-day file (set by {setting}); such a "
                              "file holds a few dozen values", name=name,
                              size=n_bytes / BYTES_PER_KB, most=most,
                              setting="GREENPRINT_SCENARIO_MAX_KB"))


def check_limits(data: bytes | str, name: str) -> str:
    """The document's text, if it is within the size and depth limits (else InputError)."""
    s = get_settings()
    check_size(len(data), name)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(lazy("'{name}' is not UTF-8 text; save it as UTF-8 JSON or YAML",
                                  name=name)) from None
    depth = nesting_depth(data)
    if depth > s.scenario_max_depth:
        raise InputError(lazy("'{name}' nests {depth:,} levels deep, over the limit of {most} "
                              "(set by {setting}); a scenario or mapping needs two or three",
                              name=name, depth=depth, most=s.scenario_max_depth,
                              setting="GREENPRINT_SCENARIO_MAX_DEPTH"))
    return data


def parse(data: bytes | str, name: str, fmt: str = "json"):
    """Parse a JSON or YAML document within the limits; errors say what to fix."""
    text = check_limits(data, name)
    try:
        if fmt == "json":
            value = json.loads(text)
        else:
            import yaml

            value = yaml.safe_load(text)
    except RecursionError:
        raise InputError(lazy("'{name}' nests too deeply to read", name=name)) from None
    except (ValueError, ImportError) as exc:  # JSONDecodeError is a ValueError
        raise _not_valid(name, fmt, str(exc).splitlines()[0]) from None
    except Exception as exc:  # yaml.YAMLError and its kin
        raise _not_valid(name, fmt, (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                         ) from None
    if _object_depth(value) > get_settings().scenario_max_depth:  # YAML block nesting
        raise InputError(lazy("'{name}' nests deeper than the limit of {most} ({setting})",
                              name=name, most=get_settings().scenario_max_depth,
                              setting="GREENPRINT_SCENARIO_MAX_DEPTH"))
    return value


def _not_valid(name: str, fmt: str, detail: str) -> InputError:
    """The error for a document its parser refused (``detail``: the parser's first line)."""
    return InputError(lazy("'{name}' is not valid {format} ({detail}); fix the file or save it "
                           "again from Greenprint", name=name, format=fmt.upper(), detail=detail))


def read(path, name: str | None = None):
    """Read and parse a document file (format from its suffix: .json, else YAML)."""
    from pathlib import Path

    p = Path(path)
    label = name or p.name
    if not p.is_file():
        raise InputError(lazy("file not found: {path}", path=str(p)))
    check_size(p.stat().st_size, label)  # before reading it
    fmt = "json" if p.suffix.lower() == ".json" else "yaml"
    return parse(p.read_bytes(), label, fmt)
