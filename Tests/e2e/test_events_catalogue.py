"""docs/events.md is the catalogue of log events: every name the code can emit (the enum LogEvent)
has a section there, every section names such an event, each event is logged somewhere, and each
field a call site writes is documented for its event. No daemon needed."""
import re

from harness.paths import REPO

SOURCES = REPO / "Sources"
LOG_EVENT = SOURCES / "PosternCore" / "Logging" / "LogEvent.swift"
CATALOGUE = REPO / "docs" / "events.md"


def enum_events() -> dict:
    """{case name: event name} of enum LogEvent."""
    return dict(re.findall(r'case\s+(\w+)\s*=\s*"([a-z0-9-]+)"', LOG_EVENT.read_text()))


def catalogue() -> dict:
    """{event name: its section's text} of docs/events.md."""
    text = CATALOGUE.read_text()
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def swift_sources():
    for path in SOURCES.rglob("*.swift"):
        if path != LOG_EVENT:
            yield path, path.read_text()


def call_sites():
    """(case name, the call's text) for every `.log(.case ...)` call, up to its closing parenthesis."""
    for path, text in swift_sources():
        for match in re.finditer(r"\.log\(\s*\.(\w+)\b", text):
            start = text.index("(", match.start())
            depth, end = 0, start
            while end < len(text):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            yield match.group(1), text[start:end], path


def test_every_event_the_code_can_emit_is_in_the_catalogue():
    missing = set(enum_events().values()) - set(catalogue())
    assert not missing, f"docs/events.md lacks {sorted(missing)}"


def test_every_event_in_the_catalogue_exists_in_the_code():
    unknown = set(catalogue()) - set(enum_events().values())
    assert not unknown, f"docs/events.md describes events the code does not have: {sorted(unknown)}"


def test_every_event_is_logged_somewhere():
    used = set()
    for _, text in swift_sources():
        used |= set(re.findall(r"\.(\w+)\b", text))
    unused = {name for case, name in enum_events().items() if case not in used}
    assert not unused, f"LogEvent cases nothing logs: {sorted(unused)}"


def test_every_field_a_call_site_writes_is_documented_for_its_event():
    events = enum_events()
    sections = catalogue()
    undocumented = []
    for case, call, path in call_sites():
        name = events.get(case)
        assert name, f"{path}: .log(.{case}) is not a LogEvent case"
        for key in re.findall(r'"([a-z][a-z0-9-]*)"\s*:', call):
            if f"`{key}`" not in sections.get(name, "") and f"`[{key}]`" not in sections.get(name, ""):
                undocumented.append(f"{name}: {key} ({path.relative_to(REPO)})")
    assert not undocumented, "fields missing from docs/events.md:\n" + "\n".join(sorted(set(undocumented)))


def test_every_section_has_an_example_line():
    for name, section in catalogue().items():
        assert re.search(rf"^    (time=\S+ )?role=\w+ pid=\d+ event={re.escape(name)}\b", section, re.M), name
