"""postern's log: one event a line, `key=value` fields, values with spaces double-quoted."""
import re

_FIELD = re.compile(r'([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S*)')
# docs/events.md: \n \r \t, \xHH, \u{HEX}, and a backslash before any other character.
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u\{[0-9A-F]+\}|.)")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t"}


def _unescape(m: re.Match) -> str:
    e = m.group(1)
    if e.startswith("x") and len(e) == 3:
        return chr(int(e[1:], 16))
    if e.startswith("u{"):
        return chr(int(e[2:-1], 16))
    return _SIMPLE.get(e, e)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _ESCAPE.sub(_unescape, value[1:-1])
    return value


def parse_line(line: str) -> dict:
    """The fields of one line; an empty dict when the line is not an event (no event= field)."""
    fields = {k: _unquote(v) for k, v in _FIELD.findall(line)}
    return fields if "event" in fields else {}


def parse(text: str) -> list:
    return [e for e in (parse_line(line) for line in text.splitlines()) if e]


def matching(events: list, event: str = None, **fields) -> list:
    """Events named `event` (any when None) whose fields equal `fields` (underscores in the
    keyword names stand for dashes: bytes_in= matches bytes-in)."""
    wanted = {k.replace("_", "-"): str(v) for k, v in fields.items()}
    return [e for e in events
            if (event is None or e.get("event") == event)
            and all(e.get(k) == v for k, v in wanted.items())]
