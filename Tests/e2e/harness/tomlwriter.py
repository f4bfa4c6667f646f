"""Just enough TOML output for postern's configuration: strings, integers, booleans, lists
of those, tables, nested tables and arrays of tables."""
import json
import re

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)   # JSON strings are valid TOML basic strings
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"no TOML form for {v!r}")


def _is_table(v) -> bool:
    return isinstance(v, dict)


def _is_table_array(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _emit(table: dict, path: list, out: list) -> None:
    for k, v in table.items():
        if not _is_table(v) and not _is_table_array(v):
            out.append(f"{_key(k)} = {_value(v)}")
    for k, v in table.items():
        sub = path + [_key(k)]
        if _is_table(v):
            scalars = any(not _is_table(x) and not _is_table_array(x) for x in v.values())
            if scalars or not v:
                out.append("")
                out.append(f"[{'.'.join(sub)}]")
            _emit(v, sub, out)
        elif _is_table_array(v):
            for item in v:
                out.append("")
                out.append(f"[[{'.'.join(sub)}]]")
                _emit(item, sub, out)


def dumps(document: dict) -> str:
    out: list = []
    _emit(document, [], out)
    return "\n".join(out).lstrip("\n") + "\n"


def merged(base: dict, overrides: dict) -> dict:
    """`base` with `overrides` merged in, table by table; a value of None removes the key."""
    result = dict(base)
    for k, v in overrides.items():
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict) and isinstance(result.get(k), dict):
            result[k] = merged(result[k], v)
        else:
            result[k] = v
    return result
