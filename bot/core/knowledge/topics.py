"""The knowledge-base entry: front matter as a pydantic model, body split into sections."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Category = Literal["background", "indicators", "safeguarding", "legislation"]
CATEGORIES: tuple[str, ...] = ("background", "indicators", "safeguarding", "legislation")
CATEGORY_LABELS = {
    "background": "Background and terms",
    "indicators": "Indicators",
    "safeguarding": "Safeguarding and referral routes",
    "legislation": "Legislation and powers",
}
Flag = Literal["danger", "offending"]

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SUMMARY_MAX = 350
_NUMBERED = re.compile(r"^\d+[.)]\s+")


class Source(BaseModel):
    """Where a fact comes from; `secondary` marks press, charity or training material that is
    cited only because no primary source says it, so the card can label it as such."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$")
    secondary: bool = False

    @property
    def label(self) -> str:
        return f"{self.title} (secondary)" if self.secondary else self.title


class ChecklistItem(BaseModel):
    """One tappable indicator; `terms` also tag free-text field notes."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG, max_length=24)
    label: str = Field(min_length=3, max_length=40)
    terms: list[str] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)


class Section(BaseModel):
    heading: str
    text: str

    @property
    def items(self) -> list[str]:
        """Bullet or numbered items, continuation lines folded in."""
        items: list[str] = []
        for line in self.text.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith(("- ", "* ")):
                items.append(stripped[2:].strip())
            elif _NUMBERED.match(stripped):
                items.append(_NUMBERED.sub("", stripped))
            elif items:
                items[-1] += " " + stripped
            else:
                items.append(stripped)
        return items


class Topic(BaseModel):
    """A curated entry. Front matter fields are validated; `body` is the Markdown after it."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    id: str = Field(pattern=SLUG, max_length=60)  # fits in callback data
    title: str = Field(min_length=3, max_length=120)
    category: Category
    aliases: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=10, max_length=SUMMARY_MAX)
    related: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    reviewed: date
    reviewed_by: str | None = Field(default=None, min_length=3, max_length=80)  # a role
    checklist: list[ChecklistItem] = Field(default_factory=list)
    body: str = ""

    @field_validator("summary", "title")
    @classmethod
    def _squash(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("aliases", "keywords", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        """Accept an empty field, and numbers such as `999` that YAML reads as integers."""
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) if isinstance(v, int | float) else v for v in value]
        return value

    @property
    def sections(self) -> list[Section]:
        """The body split at `## ` headings; text before the first heading is `Overview`."""
        sections: list[Section] = []
        heading, lines = "Overview", list[str]()
        for line in self.body.splitlines():
            if line.startswith("## "):
                if "\n".join(lines).strip():
                    sections.append(Section(heading=heading, text="\n".join(lines).strip()))
                heading, lines = line[3:].strip(), []
            else:
                lines.append(line)
        if "\n".join(lines).strip():
            sections.append(Section(heading=heading, text="\n".join(lines).strip()))
        return sections

    def section(self, heading: str) -> Section | None:
        wanted = heading.casefold()
        return next((s for s in self.sections if s.heading.casefold() == wanted), None)

    @property
    def key_points(self) -> list[str]:
        found = self.section("Key points")
        return found.items if found else []

    @property
    def officer_action(self) -> list[str]:
        found = self.section("Officer action")
        return found.items if found else []

    @property
    def reviewed_line(self) -> str:
        """'Reviewed 01 Dec 2026 by force county lines lead': the date and who checked it."""
        who = f" by {self.reviewed_by}" if self.reviewed_by else ""
        return f"Reviewed {self.reviewed:%d %b %Y}{who}"
