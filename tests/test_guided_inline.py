"""Inline mode: `@botname cuckooing` in any chat, for enrolled officers only."""

from __future__ import annotations

import html

from bot.core.knowledge.topics import Source
from bot.core.services import Knowledge
from bot.telegram import inline
from tests.botapi import Call, check_html, plain
from tests.support import ADMIN, Harness, running_bot

OFFICER = 700301
STRANGER = 800301


async def ask_inline(bot: Harness, uid: int, query: str) -> Call:
    mark = bot.api.mark()
    bot.api.inline(uid, query)
    [answer] = await bot.api.wait("answerInlineQuery", after=mark)
    return answer


async def test_an_officer_gets_vetted_summaries_to_post(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    answer = await ask_inline(bot, OFFICER, "cuckooing")
    results = answer.params["results"]
    assert 1 <= len(results) <= inline.MAX_RESULTS
    ids = [r["id"] for r in results]
    # First the short answer a private chat gives, then the topics to choose from.
    assert ids[0] == "a:cuckooing" and ids[1] == "cuckooing" and "indicators-cuckooing" in ids
    assert answer.params["is_personal"] in (True, "true")  # never shown to anyone else
    short = results[0]["input_message_content"]["message_text"]
    reply = bot.services.knowledge.responder.respond("cuckooing")
    assert plain(short) == reply.text and check_html(short)[0] is None
    kb = bot.services.knowledge.kb
    for result in results[1:]:
        topic = kb.topics[result["id"]]
        content = result["input_message_content"]
        text = content["message_text"]
        assert result["type"] == "article" and result["title"] == topic.title
        assert content["parse_mode"] == "HTML" and check_html(text)[0] is None
        assert html.escape(topic.summary, quote=False) in text
        assert f"Reviewed {topic.reviewed:%d %b %Y}" in plain(text)
        assert f'<a href="{html.escape(topic.sources[0].url, quote=True)}">' in text
    offence = next(r for r in results if r["id"] == "cuckooing-offence")
    assert "Southwell &amp; Partners" in offence["input_message_content"]["message_text"]


async def test_a_stranger_gets_nothing(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    answer = await ask_inline(bot, STRANGER, "cuckooing")
    assert answer.params["results"] == []
    await bot.say(ADMIN, "/help")  # processed after the inline query
    assert bot.api.sent(STRANGER) == []
    assert (await ask_inline(bot, OFFICER, "cuckooing")).params["results"]


async def test_a_revoked_officer_gets_nothing(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    assert (await ask_inline(bot, OFFICER, "nrm")).params["results"]
    await bot.say(ADMIN, f"/revoke {OFFICER}")
    assert (await ask_inline(bot, OFFICER, "nrm")).params["results"] == []


async def test_short_odd_and_hostile_queries(bot: Harness) -> None:
    await bot.enrol(OFFICER)
    for query in ("", " ", "c", "zzqxv wibble"):
        assert (await ask_inline(bot, OFFICER, query)).params["results"] == [], query
    for query in ("<b>s45</b> & <script>", "x" * 256, "🙂 plugging"):
        answer = await ask_inline(bot, OFFICER, query)
        assert len(answer.params["results"]) <= inline.MAX_RESULTS
    plugging = await ask_inline(bot, OFFICER, "🙂 plugging")
    assert plugging.params["results"][0]["id"] == "a:indicators-plugging"
    assert not any("something went wrong" in c.text for c in bot.api.sent())


def test_a_topic_with_many_long_sources_still_fits_and_keeps_its_date(
    knowledge: Knowledge,
) -> None:
    topic = knowledge.kb.topics["nrm-referral"]
    sources = [
        Source(title="A long & winding source " * 8, url=f"https://x.example/{n}")
        for n in range(60)
    ]
    long = topic.model_copy(update={"sources": sources})
    text = inline.posted_text(long)
    error, visible = check_html(text)
    assert error is None and visible <= 4096
    assert plain(text).endswith(f"{topic.reviewed_line}. " + inline.CAVEAT)
    assert " by " in topic.reviewed_line  # the reviewing role is shown beside the date
    assert text.count("<a href") < 60


async def test_typing_inline_never_leaves_the_officer_waiting(bot: Harness) -> None:
    """Each pause in typing sends a query; all are answered, and questions still work."""
    await bot.enrol(OFFICER)
    word = "cuckooing signs at a flat"
    mark = bot.api.mark()
    for n in range(3, len(word) + 1):
        bot.api.inline(OFFICER, word[:n])
    answers = await bot.api.wait("answerInlineQuery", count=len(word) - 2, after=mark)
    assert len(answers) == len(word) - 2
    [reply] = await bot.say(OFFICER, "what is a cawn")
    assert "Child Abduction Warning Notices" in plain(reply.text)


async def test_an_inline_flood_gets_empty_answers_not_silence(
    botapi, knowledge, sqlite_url
) -> None:
    async with running_bot(botapi, knowledge, sqlite_url, rate_limit_per_minute=2) as bot:
        await bot.enrol(OFFICER)
        mark = botapi.mark()
        for _ in range(14):
            botapi.inline(OFFICER, "cuckooing")
        answers = await botapi.wait("answerInlineQuery", count=14, after=mark)
        assert [bool(a.params["results"]) for a in answers] == [True] * 10 + [False] * 4
