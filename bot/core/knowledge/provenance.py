"""Where an entry's facts come from and who checked them: the rules `kb check` holds sources
and `reviewed_by` to, so an officer only ever follows a public, canonical, working address."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

from bot.core.knowledge.problems import Problem, node_line
from bot.core.knowledge.topics import Topic

# Hosts that are not the public address of their publisher.
BAD_HOSTS = {
    "production.copweb.aws.college.police.uk": "the College of Policing's internal mirror: "
    "use www.college.police.uk",
}
TRACKING_PARAMS = {"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "trk", "_ga", "igshid"}
TRACKING_VALUES = {("ref", "rss"), ("shared", "email"), ("msg", "fail")}
_TITLE_LINE = re.compile(r"^\s*(?:-\s+)?title:\s*(.*)$")
_CUT_SHORT = (",", ";", ":", "(", "-", "&", "/")


def url_problem(url: str) -> str | None:
    """Why `url` should not be shown to an officer, or None if it is fine."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith("."):
        return f"host '{host}' ends with a dot: a broken address"
    if host in BAD_HOSTS:
        return f"host '{host}' is {BAD_HOSTS[host]}"
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name = key.lower()
        if name.startswith("utm_") or name in TRACKING_PARAMS or (name, value) in TRACKING_VALUES:
            return f"tracking parameter '{key}' in the address: drop it"
    return None


def provenance_problems(topic: Topic, path: Path, front: str, node: yaml.Node) -> list[Problem]:
    """Bad source addresses, titles cut short by a YAML comment, and a missing reviewer."""
    problems = []
    for index, source in enumerate(topic.sources):
        why = url_problem(source.url)
        if why:
            line = node_line(node, ("sources", index, "url"), 1)
            problems.append(Problem(path, line, why))
        if source.title.rstrip().endswith(_CUT_SHORT):
            line = node_line(node, ("sources", index, "title"), 1)
            problems.append(
                Problem(
                    path,
                    line,
                    f"source title '{source.title}' looks cut short: quote a title with '#'",
                    "warning",
                )
            )
    for number, raw in enumerate(front.splitlines(), 2):
        match = _TITLE_LINE.match(raw)
        value = match.group(1) if match else ""
        if value and value[0] not in "'\"" and " #" in value:
            problems.append(
                Problem(
                    path,
                    number,
                    "unquoted title contains ' #', which YAML reads as a comment: quote it",
                    "warning",
                )
            )
    if not topic.reviewed_by:
        problems.append(
            Problem(
                path,
                node_line(node, ("reviewed",), 1),
                "no 'reviewed_by': name the role that checked the entry "
                "(e.g. force county lines lead), never a person",
            )
        )
    return problems
