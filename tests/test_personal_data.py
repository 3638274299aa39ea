"""Issue 12 #13: personal data in the curators' lists is redacted before it is stored, and
gaps, feedback and notes past retention are purged by a daily, audited job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.access.users import Audit
from bot.core.clock import now
from bot.core.feedback import Feedback, Gap
from bot.core.notes.log import Note, NoteInput, add_notes
from tests.support import ADMIN, Harness, running_bot

OFFICER = 740001

CHILD = (
    "Jayden Smith aged 14 DOB 03/04/2011 lives at 12 Acacia Road ME14 2AB, mum on "
    "07700 900123 or jay.smith@example.com, what do I do about his 3 phones"
)


@pytest.mark.parametrize(
    ("said", "kept", "gone"),
    [
        (
            CHILD,
            ["aged 14", "3 phones"],
            ["Jayden", "Smith", "2011", "Acacia", "ME14", "07700", "example.com"],
        ),
        ("saw Kyle, 15 yo, at 4b Station Approach", ["15 yo"], ["Kyle", "4b Station"]),
        ("15yo Tia-Marie Brown born 2 March 2011", ["15yo"], ["Tia-Marie", "Brown", "2011"]),
        ("is a 14 year old in a trap house a victim", ["14 year old", "trap house"], []),
        ("what is s45 of the Modern Slavery Act 2015", ["s45", "Modern Slavery Act 2015"], []),
        ("call +44 7700 900 123 now, postcode sw1a1aa", [], ["7700", "sw1a1aa"]),
    ],
)
def test_redaction_keeps_the_question_and_drops_the_person(said, kept, gone) -> None:
    from bot.core.redact import redact_personal

    redacted = redact_personal(said)
    for word in kept:
        assert word in redacted, redacted
    for word in gone:
        assert word not in redacted, redacted


async def test_a_gap_is_stored_without_the_childs_details(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    await bot.say(OFFICER, CHILD.replace("what do I do about his 3 phones", "zxqv blorp"))
    [gap] = await bot.services.store.run(lambda: list(Gap.select()))
    for word in (
        "Jayden",
        "Smith",
        "03/04/2011",
        "12 Acacia Road",
        "ME14 2AB",
        "07700",
        "example.com",
    ):
        assert word not in gap.text, gap.text
    [listing] = await bot.say(ADMIN, "/gaps")
    assert "Jayden" not in listing.text and "aged 14" in listing.text


async def test_the_daily_job_purges_gaps_feedback_and_notes_past_retention(
    botapi, knowledge, sqlite_url
) -> None:
    async with running_bot(
        botapi, knowledge, sqlite_url, gaps_retention_days=30, notes_retention_days=365
    ) as bot:
        [job] = [j for j in bot.app.job_queue.jobs() if j.name == "retention"]
        assert job.trigger.__class__.__name__ == "CronTrigger"  # every day, not only by hand

        def seed() -> None:
            old = now() - timedelta(days=31)
            Gap.create(text="old question", key="old question", at=old)
            Gap.create(text="new question", key="new question")
            Feedback.create(topic_id="nrm", question="old report", at=old)
            Feedback.create(topic_id="nrm", question="new report")
            add_notes(
                ((NoteInput(author_id=OFFICER, text=f"old {i}"), f"old-{i}") for i in range(2)),
                when=now() - timedelta(days=400),
            )
            add_notes([(NoteInput(author_id=OFFICER, text="young"), "young")])

        await bot.services.store.run(seed)
        await job.run(bot.app)

        def left() -> tuple[list, list, list, list]:
            return (
                [g.text for g in Gap.select()],
                [f.question for f in Feedback.select()],
                [n.text for n in Note.select()],
                [
                    (a.action, a.detail)
                    for a in Audit.select().where(Audit.action.startswith("retention"))
                ],
            )

        gaps, reports, notes, audits = await bot.services.store.run(left)
        assert gaps == ["new question"] and reports == ["new report"] and notes == ["young"]
        [(_, detail)] = audits
        assert "1 gaps" in detail and "1 feedback" in detail and "2 notes" in detail
