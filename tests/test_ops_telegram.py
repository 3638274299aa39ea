"""The administrator's side on Telegram: /whoami for anyone, /status for admins."""

from __future__ import annotations

from bot.core.storage.migrations import latest
from tests.botapi import plain
from tests.support import ADMIN, Harness

OFFICER = 700011
STRANGER = 800011


async def test_a_stranger_learns_their_id_a_few_times_an_hour(bot: Harness) -> None:
    [reply] = await bot.say(STRANGER, "/whoami")
    text = plain(reply.text)
    assert f"your Telegram user id is {STRANGER}" in text
    assert "bot administrator" in text
    for _ in range(2):
        await bot.say(STRANGER, "/whoami")
    mark = bot.api.mark()
    bot.api.send(STRANGER, "/whoami")
    await bot.say(ADMIN, "/help")  # handled after the stranger's fourth /whoami
    assert [
        c for c in bot.api.calls[mark:] if c.params.get("chat_id") in (STRANGER, str(STRANGER))
    ] == []


async def test_the_strangers_refusal_points_to_the_bot_administrator(bot: Harness) -> None:
    [refusal] = await bot.say(STRANGER, "what is cuckooing")
    assert "force's bot administrator" in refusal.text and "/whoami" in refusal.text


async def test_an_officer_sees_id_and_role(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [reply] = await bot.say(OFFICER, "/whoami")
    assert f"<code>{OFFICER}</code>" in reply.text and "enrolled as: officer" in reply.text


async def test_status_for_an_admin_in_private(bot: Harness) -> None:
    from bot.core.access.users import audit

    await bot.enrol(OFFICER)
    await bot.say(OFFICER, "signs of cuckooing")
    await bot.say(OFFICER, "best pizza in the town centre")  # a gap
    await bot.services.store.run(
        audit, None, "backup", "/var/backups/bot-1.db", "notes verify: 3 entries: OK"
    )
    [reply] = await bot.say(ADMIN, "/status")
    text = plain(reply.text)
    assert "Status (version 0.1.0)" in text
    handled = int(text.split("; ", 1)[1].split(" updates handled")[0])
    assert handled >= 2  # the officer's two messages (this /status is still running)
    assert "Reply time since start: p50 " in text and " ms, p95 " in text
    assert "Database: " in text and f"schema v{latest()}" in text
    assert "Last backup: " in text and "UTC, verified" in text
    assert "Open gaps: 1 (/gaps); feedback: 0" in text
    assert "Reviews due within 30 days: " in text


async def test_status_is_for_admins_in_private_only(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    [refused] = await bot.say(OFFICER, "/status")
    assert "admins only" in refused.text
    [group] = await bot.say(ADMIN, "/status", chat_id=-100777, chat_type="supergroup")
    assert "private chat" in group.text and "Reply time" not in group.text


def test_reply_time_percentiles_are_within_five_percent() -> None:
    from bot.core.stats import ReplyTimes

    times = ReplyTimes()
    assert times.percentile(50) is None
    for ms in range(1, 1001):  # 1 ms .. 1 s, evenly
        times.record(ms / 1000)
    assert times.count == 1000
    assert 0.5 <= times.percentile(50) <= 0.5 * 1.05
    assert 0.95 <= times.percentile(95) <= 0.95 * 1.05


def test_reviews_due_within_30_days_soonest_first(knowledge) -> None:
    from datetime import date, timedelta

    from bot.core.knowledge.base import STALE_AFTER
    from bot.core.status import reviews_due

    topics = sorted(knowledge.kb.topics.values(), key=lambda t: t.reviewed)
    oldest = topics[0].reviewed + STALE_AFTER
    assert reviews_due(knowledge.kb, oldest - timedelta(days=31)) == []
    due = reviews_due(knowledge.kb, oldest - timedelta(days=30))
    assert due and due[0] == (topics[0].title, oldest)
    assert len(reviews_due(knowledge.kb, date.max - STALE_AFTER)) == len(topics)
