"""/quiz, /refresh, /progress and /remind: recruit refreshers with inline buttons.

Rounds, answers and reminders live in the database (bot.core.quiz.service); every button
carries the round id and question position, so a button from an old round gets a polite answer and
changes nothing. `/quiz TOPIC` finds its topic with the same search engine questions use.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import Forbidden
from telegram.ext import Application, ContextTypes, JobQueue

from bot.core.clock import local, local_date
from bot.core.knowledge.topics import CATEGORIES, CATEGORY_LABELS, Topic
from bot.core.quiz import topics as quiz_topics
from bot.core.quiz.history import MASTERED_MEANS, TREND_WEEKS, Report, RoundSummary
from bot.core.quiz.schedule import DAILY_REVIEWS, Tally, TopicScore, bar
from bot.core.quiz.service import (
    TOPIC,
    Answered,
    Nudge,
    QuizService,
    ReminderAction,
    Shown,
    Stale,
    Started,
    parse_category,
)
from bot.core.services import quiz_bank_of
from bot.telegram import callbacks as cb
from bot.telegram.ask import button_text
from bot.telegram.edits import edit_or_send
from bot.telegram.render import inline
from bot.telegram.services import BotServices, services

KEY = "quiz"
ALL, MENU = "all", "menu"  # a round of every category; the list of categories to choose from
# Typed text that looks like an attempt at an answer ("B", "1", "true"): during a round it
# gets a pointer to the buttons instead of being searched as a question.
_ANSWER_LIKE = re.compile(r"^\W*([a-z]|\d{1,2}|true|false|yes|no)\W*$", re.IGNORECASE)
USE_BUTTONS = "Answer with the buttons, or /cancel to stop the round."
SHORT = {
    "indicators": "Indicators",
    "safeguarding": "Safeguarding",
    "legislation": "Legislation",
    "background": "Background",
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")

STALE = {
    Stale.ANSWERED: "You've already answered that question.",
    Stale.FINISHED: "That round is over, so nothing was changed. Send /quiz for a new one.",
    Stale.REPLACED: "That question is from an earlier round, so nothing was changed. "
    "Your current round is further down the chat.",
    Stale.CANCELLED: "That round was cancelled, so nothing was changed. Send /quiz to restart.",
    Stale.UNKNOWN: "That question is not from one of your rounds, so nothing was changed.",
    Stale.INVALID: "That is not one of the options. Please tap one of the buttons.",
    Stale.WITHDRAWN: "That question has been withdrawn, so it was skipped.",
}


# -- set-up, called once from build_application -------------------------------------------------


def build_service(svc: BotServices) -> QuizService:
    """The quiz bank is curated content: errors in it stop start-up like any other."""
    bank = quiz_bank_of(svc.knowledge)
    return QuizService(bank, svc.settings.zone)


def restore_reminders_at_start(app: Application) -> None:
    """Put every stored reminder back on the job queue in post_init, before updates flow."""
    previous = app.post_init

    async def post_init(application: Application) -> None:
        if previous is not None:
            await previous(application)
        await restore_reminders(application)

    app.post_init = post_init


async def restore_reminders(app: Application) -> int:
    svc: BotServices = app.bot_data["services"]
    quiz: QuizService = app.bot_data[KEY]
    rows = await svc.store.run(quiz.reminders)
    for user_id, chat_id, hour, minute in rows:
        schedule_reminder(app.job_queue, quiz.tz, user_id, chat_id, hour, minute)
    return len(rows)


def _quiz(context: ContextTypes.DEFAULT_TYPE) -> QuizService:
    return context.bot_data[KEY]


# -- rendering ------------------------------------------------------------------------------


def option_label(shown: Shown, index: int) -> str:
    """'B. The text' for single choice, just 'True' or 'False' for true/false."""
    text = inline(shown.options[index].text)
    return text if shown.question.type == "truefalse" else f"{shown.letters[index]}. {text}"


def _head(shown: Shown) -> str:
    return (
        f"<b>Question {shown.position + 1} of {shown.total}</b> · "
        f"<i>{CATEGORY_LABELS[shown.category]}</i>\n{inline(shown.question.question)}"
    )


def question_html(shown: Shown, intro: str = "") -> str:
    lines = [intro, ""] if intro else []
    lines.append(_head(shown))
    lines.append("")
    if shown.question.type == "truefalse":
        lines.append("<i>True or false?</i>")
    else:
        lines += [
            f"<b>{shown.letters[i]}.</b> {inline(o.text)}" for i, o in enumerate(shown.options)
        ]
    return "\n".join(lines)


def question_keyboard(shown: Shown) -> InlineKeyboardMarkup:
    labels = (
        [o.text for o in shown.options]
        if shown.question.type == "truefalse"
        else list(shown.letters)
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label,
                    callback_data=cb.QuizAnswer(shown.round_id, shown.position, i).pack(),
                )
                for i, label in enumerate(labels)
            ]
        ]
    )


def feedback_html(result: Answered) -> str:
    """The question again, then right or wrong with the rationale."""
    shown = result.shown
    chosen, right = shown.options[result.chosen], shown.options[shown.answer]
    lines = [_head(shown), ""]
    if result.correct:
        lines += [f"✅ <b>Right:</b> {option_label(shown, shown.answer)}", inline(right.why)]
    else:
        lines += [
            f"❌ <b>Not quite.</b> You chose {option_label(shown, result.chosen)}",
            f"<i>{inline(chosen.why)}</i>",
            "",
            f"<b>Answer:</b> {option_label(shown, shown.answer)}",
            inline(right.why),
        ]
    return "\n".join(lines)


def topic_keyboard(context: ContextTypes.DEFAULT_TYPE, topic_id: str) -> InlineKeyboardMarkup:
    topic = services(context).knowledge.kb.topics.get(topic_id)
    title = topic.title if topic else topic_id
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button_text(f"Read the topic: {title}"),
                    callback_data=cb.OpenTopic(topic_id).pack(),
                )
            ]
        ]
    )


def score_html(result: Answered) -> str:
    total = result.shown.total
    head = f"<b>Round complete: {result.score} of {total} right.</b>"
    if result.score == total:
        return f"{head} Well done. Those questions come back later, spaced further apart."
    return f"{head} The ones you missed come back first in your next /refresh."


def after_round_keyboard(
    kind: str, category: str | None, topic: str | None = None
) -> InlineKeyboardMarkup:
    if kind == "refresh":
        again = cb.QuizRefresh().pack()
    elif kind == TOPIC and topic:
        again = cb.QuizTopic(topic).pack()
    else:
        again = cb.QuizStart(category or ALL).pack()
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Another round", callback_data=again),
                InlineKeyboardButton("My progress", callback_data=cb.QuizProgress().pack()),
            ]
        ]
    )


def refresh_intro(started: Started) -> str:
    plan = started.plan
    if plan is None or not started.first:
        return ""
    if plan.welcome_back:
        waiting = plan.due
        return (
            f"<b>Welcome back.</b> {waiting} question{'s' if waiting != 1 else ''} "
            f"{'are' if waiting != 1 else 'is'} due; we'll take up to {DAILY_REVIEWS} a day, "
            "weakest first, so there's no need to catch up all at once."
        )
    reviewing = min(plan.due - plan.held_back, started.first.total)
    fresh = started.first.total - reviewing
    parts = []
    if reviewing:
        parts.append(f"{reviewing} due for review")
    if fresh:
        parts.append(f"{fresh} new")
    return f"<b>Refresher:</b> {' and '.join(parts)}."


def nothing_to_refresh(started: Started, tz: ZoneInfo) -> str:
    plan = started.plan
    if plan and plan.held_back:
        return (
            f"That's today's refresher done ({DAILY_REVIEWS} reviews). The other "
            f"{plan.held_back} due question{'s' if plan.held_back != 1 else ''} come back over "
            "the next few days, weakest first. Send /quiz for a practice round."
        )
    if plan and plan.next_due:
        return (
            f"All caught up: nothing is due. The next question comes back "
            f"{_local(plan.next_due, tz)}. Send /quiz for a practice round."
        )
    return "Nothing to ask right now. Send /quiz for a practice round."


def _local(moment: datetime, tz: ZoneInfo) -> str:
    at = local(moment, tz)
    return f"{at:%a %d %b} at {at:%H:%M}"


def progress_html(report: Report, total: int, subjects: dict[str, str], tz: ZoneInfo) -> str:
    """At a glance: per category a bar, the share mastered, what is due today and the trend."""
    progress = report.progress
    mastered = sum(t.mastered for t in progress.tallies.values())
    lines = [
        f"<b>Your progress</b>: {progress.answered} of {total} questions answered, "
        f"{mastered} mastered.",
        "<pre>"
        + "\n".join(
            [f"{'':<12} {'':<10} {'mastered':>8} {'due':>3} {f'{TREND_WEEKS} wk':>5}"]
            + [_chart_line(c, t, report) for c, t in progress.tallies.items()]
        )
        + "</pre>",
        f"█ mastered  ▒ learning  · not seen yet; due: today; {TREND_WEEKS} wk: mastered "
        f"since {TREND_WEEKS} weeks ago.",
        f"<i>{MASTERED_MEANS}</i>",
    ]
    due_today = sum(report.due_today.values())
    if progress.due:
        lines.append(f"{progress.due} due now: send /refresh.")
    elif due_today:
        lines.append(f"{due_today} more due later today.")
    elif progress.answered:
        lines.append("Nothing due today.")
    else:
        lines.append("Send /quiz or /refresh to start.")
    if report.rounds:
        lines += ["", "<b>Recent rounds</b>"]
        lines += [_round_line(r, subjects, tz) for r in report.rounds]
    if progress.weakest:
        lines += ["", "<b>Weakest topics</b> (tap one to read it):"]
    return "\n".join(lines)


def _chart_line(category: str, tally: Tally, report: Report) -> str:
    share = round(100 * tally.mastered / tally.total) if tally.total else 0
    return (
        f"{SHORT.get(category, category)[:12]:<12} {bar(tally)} {share:>7}% "
        f"{report.due_today.get(category, 0):>3} {report.trend(category):>+5}"
    )


def _round_line(summary: RoundSummary, subjects: dict[str, str], tz: ZoneInfo) -> str:
    if summary.kind == "refresh":
        subject = "Refresher"
    elif summary.topic:
        subject = subjects.get(summary.topic, summary.topic)
    else:
        subject = CATEGORY_LABELS.get(summary.category or "", "All categories")
    stopped = "" if summary.answered >= summary.total else f" (stopped at {summary.answered})"
    return (
        f"• {local_date(summary.started_at, tz):%d %b} {inline(subject)}: "
        f"{summary.score} of {summary.total} right{stopped}"
    )


def weakest_keyboard(
    context: ContextTypes.DEFAULT_TYPE, weakest: list[TopicScore]
) -> InlineKeyboardMarkup | None:
    topics = services(context).knowledge.kb.topics
    rows = [
        [
            InlineKeyboardButton(
                button_text(f"{w.right} of {w.seen} right: {topics[w.topic].title}"),
                callback_data=cb.OpenTopic(w.topic).pack(),
            )
        ]
        for w in weakest
        if w.topic in topics
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def category_keyboard(weak: list[Topic] | None = None) -> InlineKeyboardMarkup:
    """The categories, all of them, then the recruit's weak topics."""
    rows = [
        [InlineKeyboardButton(CATEGORY_LABELS[c], callback_data=cb.QuizStart(c).pack())]
        for c in CATEGORIES
    ]
    rows.append([InlineKeyboardButton("All categories", callback_data=cb.QuizStart(ALL).pack())])
    rows += [[topic_round_button(t, "Weak spot: ")] for t in weak or []]
    return InlineKeyboardMarkup(rows)


def topic_round_button(topic: Topic, lead: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        button_text(f"{lead}{topic.title}"), callback_data=cb.QuizTopic(topic.id).pack()
    )


def find_topic(
    context: ContextTypes.DEFAULT_TYPE, wanted: str
) -> tuple[Topic | None, list[Topic]]:
    knowledge = services(context).knowledge
    return quiz_topics.find_topic(knowledge.kb, knowledge.engine, _quiz(context).bank, wanted)


def zone(tz: ZoneInfo) -> str:
    """How officers name the clock the reminders follow."""
    return "UK time" if tz.key == "Europe/London" else f"{tz.key} time"


def parse_time(text: str) -> tuple[int, int] | None:
    found = _TIME.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


# -- commands --------------------------------------------------------------------------------


async def quiz_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/quiz` offers categories and weak spots; `/quiz legislation`, `/quiz all` or
    `/quiz cuckooing` (a topic by id, alias or free words) starts a round."""
    message = update.effective_message
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await _offer_subjects(context, chat_id, user_id)
        return
    if wanted.casefold() == ALL:
        await _start(context, chat_id, user_id, "quiz", None)
        return
    category = parse_category(wanted)
    if category is not None:
        await _start(context, chat_id, user_id, "quiz", category)
        return
    topic, nearest = find_topic(context, wanted[:200])
    if topic is not None:
        await _start(context, chat_id, user_id, TOPIC, None, topic.id)
        return
    shown = html.escape(wanted[:40])
    if nearest:
        text = f"I'm not sure which subject <i>{shown}</i> means. The nearest with questions:"
        rows = [[topic_round_button(t)] for t in nearest]
    else:
        text = (
            f"I couldn't find a subject called <i>{shown}</i>. Pick a category, or try other "
            "words, for example <code>/quiz cuckooing</code>."
        )
        rows = []
    rows.append(
        [InlineKeyboardButton("Choose a category", callback_data=cb.QuizStart(MENU).pack())]
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def _offer_subjects(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> None:
    quiz = _quiz(context)
    progress = await services(context).store.run(quiz.progress, user_id)
    topics = services(context).knowledge.kb.topics
    weak = [topics[w.topic] for w in progress.weakest if w.topic in topics]
    lines = [
        "<b>Practise which subject?</b> Pick a category"
        + (", or one of your weak spots" if weak else "")
        + ".",
        "Or name a subject: <code>/quiz cuckooing</code>, <code>/quiz nrm</code>.",
    ]
    await context.bot.send_message(chat_id, "\n".join(lines), reply_markup=category_keyboard(weak))


async def refresh_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The spaced-repetition round: questions due for review first, then new ones."""
    await _start(context, update.effective_chat.id, update.effective_user.id, "refresh", None)


async def _start(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    kind: str,
    category: str | None,
    topic: str | None = None,
) -> None:
    quiz = _quiz(context)
    started = await services(context).store.run(quiz.start, user_id, kind, category, topic=topic)
    if started.first is None:
        text = (
            nothing_to_refresh(started, quiz.tz)
            if kind == "refresh"
            else "There are no questions on that yet. Send /quiz to pick another subject."
        )
        await context.bot.send_message(chat_id, text)
        return
    intro = refresh_intro(started) if kind == "refresh" else ""
    if kind == TOPIC:
        title = services(context).knowledge.kb.topics[topic].title
        intro = f"<b>Practice on one topic:</b> {inline(title)}."
    if started.replaced:
        intro = ("Your unfinished round was set aside.\n" + intro).strip()
    await context.bot.send_message(
        chat_id,
        question_html(started.first, intro),
        reply_markup=question_keyboard(started.first),
    )


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Mastered, due and trend per category, recent rounds, weakest topics and a chart."""
    await _send_progress(context, update.effective_chat.id, update.effective_user.id)


async def _send_progress(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> None:
    from bot.core.quiz.chart import render_progress_png
    from bot.core.quiz.history import progress_report

    quiz = _quiz(context)
    report = await services(context).store.run(progress_report, quiz, user_id)
    topics = services(context).knowledge.kb.topics
    subjects = {t.id: t.title for t in topics.values()}
    total = len(quiz.bank.questions)
    await context.bot.send_message(
        chat_id,
        progress_html(report, total, subjects, quiz.tz),
        reply_markup=weakest_keyboard(context, report.progress.weakest),
    )
    if not report.progress.answered:
        return
    title = f"Your refresher progress, last {len(report.weekly.weeks)} weeks"
    png = await asyncio.to_thread(render_progress_png, report.weekly, total, title)
    await context.bot.send_photo(
        chat_id,
        InputFile(io.BytesIO(png), filename="progress.png"),
        caption=f"{title}. Weeks start on Monday, {zone(quiz.tz)}.",
    )


async def remind_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/remind HH:MM` for a daily refresher reminder (local time), `/remind off` to stop."""
    message = update.effective_message
    quiz = _quiz(context)
    store = services(context).store
    user_id = update.effective_user.id
    arg = " ".join(context.args or []).strip().casefold()
    clock = zone(quiz.tz)
    if update.effective_chat.type != ChatType.PRIVATE:
        await message.reply_text("Reminders are personal: set one in a private chat with me.")
        return
    if not arg:
        current = await store.run(quiz.reminder, user_id)
        state = (
            f"Your daily reminder is set for <b>{current[0]:02d}:{current[1]:02d}</b> {clock}."
            if current
            else "You have no daily reminder."
        )
        await message.reply_text(
            f"{state}\nSend <code>/remind 07:30</code> to set one ({clock}), or "
            "<code>/remind off</code> to stop."
        )
        return
    if arg in ("off", "stop", "none", "cancel"):
        removed = await store.run(quiz.clear_reminder, user_id)
        unschedule_reminder(context.job_queue, user_id)
        await message.reply_text(
            "Daily reminder switched off." if removed else "You had no daily reminder."
        )
        return
    wanted = parse_time(arg)
    if wanted is None:
        await message.reply_text(
            f"Please give a time as HH:MM ({clock}), for example "
            "<code>/remind 07:30</code>, "
            "or <code>/remind off</code>."
        )
        return
    hour, minute = wanted
    chat_id = update.effective_chat.id
    await store.run(quiz.set_reminder, user_id, chat_id, hour, minute)
    schedule_reminder(context.job_queue, quiz.tz, user_id, chat_id, hour, minute)
    await message.reply_text(
        f"Daily reminder set for <b>{hour:02d}:{minute:02d}</b> {clock}. It comes only "
        "when questions are waiting. Send <code>/remind off</code> to stop."
    )


# -- buttons ----------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Quiz buttons: an answer, another round, or progress."""
    query = update.callback_query
    found = cb.parse(query.data)
    user_id = update.effective_user.id
    if isinstance(found, cb.QuizAnswer):
        await _answer(update, context, found.round_id, found.position, found.choice)
        return
    if isinstance(found, cb.QuizTopic) and found.topic not in _quiz(context).bank.topics():
        found = None
    if not isinstance(found, cb.QuizStart | cb.QuizRefresh | cb.QuizProgress | cb.QuizTopic):
        await query.answer("That button has expired. Send /quiz for a new round.", show_alert=True)
        return
    await query.answer()
    chat_id = update.effective_chat.id
    if isinstance(found, cb.QuizProgress):
        await _send_progress(context, chat_id, user_id)
    elif isinstance(found, cb.QuizRefresh):
        await _start(context, chat_id, user_id, "refresh", None)
    elif isinstance(found, cb.QuizTopic):
        await _start(context, chat_id, user_id, TOPIC, None, found.topic)
    elif found.category == MENU:
        await _offer_subjects(context, chat_id, user_id)
    else:
        category = found.category if found.category in CATEGORIES else None
        await _start(context, chat_id, user_id, "quiz", category)


async def _answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, round_id: int, position: int, choice: int
) -> None:
    query = update.callback_query
    quiz = _quiz(context)
    result = await services(context).store.run(
        quiz.answer, update.effective_user.id, round_id, position, choice
    )
    if isinstance(result, Stale):
        await query.answer(STALE[result], show_alert=result is not Stale.ANSWERED)
        if result is Stale.WITHDRAWN:
            current = await services(context).store.run(quiz.current, update.effective_user.id)
            if current:
                await context.bot.send_message(
                    update.effective_chat.id,
                    question_html(current),
                    reply_markup=question_keyboard(current),
                )
        return
    await query.answer("Right!" if result.correct else "Not quite.")
    await _show_feedback(update, context, result)
    if result.next is not None:
        text, keyboard = question_html(result.next), question_keyboard(result.next)
    else:
        text = score_html(result)
        keyboard = after_round_keyboard(result.kind, result.category, result.topic)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)


async def _show_feedback(
    update: Update, context: ContextTypes.DEFAULT_TYPE, result: Answered
) -> None:
    """Turn the question into its answer (no buttons left to tap twice), or reply if too old."""
    query = update.callback_query
    text = feedback_html(result)
    keyboard = topic_keyboard(context, result.shown.question.topic)
    await edit_or_send(query, context, text, keyboard)


# -- typed text during a round ------------------------------------------------------------------


async def typed_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """ "B" or "1" typed during a round: point to the buttons and show the question again.
    True when the message was used (anything else is left for the question search)."""
    message = update.effective_message
    if (
        message is None
        or update.effective_chat.type != ChatType.PRIVATE
        or not _ANSWER_LIKE.match(message.text or "")
    ):
        return False
    current = await services(context).store.run(_quiz(context).waiting, update.effective_user.id)
    if current is None:
        return False
    await message.reply_text(
        question_html(current, f"<i>{USE_BUTTONS}</i>"), reply_markup=question_keyboard(current)
    )
    return True


# -- /cancel --------------------------------------------------------------------------------


async def cancel_round(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """/cancel ends an open round; the answers already given still count."""
    if update.effective_user is None:
        return None
    ended = await services(context).store.run(_quiz(context).cancel, update.effective_user.id)
    if ended is None:
        return None
    answered, right = ended
    return (
        f"Quiz round stopped after {answered} question{'s' if answered != 1 else ''} "
        f"({right} right). Answers you gave still count towards /progress."
    )


# -- reminders --------------------------------------------------------------------------------


def _job_name(user_id: int) -> str:
    return f"quiz-remind:{user_id}"


def schedule_reminder(
    jobs: JobQueue, tz: ZoneInfo, user_id: int, chat_id: int, hour: int, minute: int
) -> None:
    """A daily job at HH:MM local time (the time zone handles the clock changes)."""
    unschedule_reminder(jobs, user_id)
    jobs.run_daily(
        send_reminder,
        time(hour, minute, tzinfo=tz),
        name=_job_name(user_id),
        chat_id=chat_id,
        user_id=user_id,
        data=(hour, minute),
    )


def unschedule_reminder(jobs: JobQueue, user_id: int) -> None:
    for job in jobs.get_jobs_by_name(_job_name(user_id)):
        job.schedule_removal()


def reminder_html(nudge: Nudge) -> str:
    parts = [f"{nudge.due} due for review"] if nudge.due else []
    parts += [f"{nudge.new} new"] if nudge.new else []
    ready = nudge.due + nudge.new
    return (
        "⏰ <b>Your two-minute refresher</b>\n"
        f"{ready} question{'s are' if ready != 1 else ' is'} ready: {' and '.join(parts)}. "
        "Tap below or send /refresh."
    )


async def send_reminder(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily nudge: once a day, only when something is waiting, from one instance."""
    job = context.job
    hour, minute = job.data
    quiz = _quiz(context)
    store = services(context).store
    action, nudge = await store.run(quiz.claim_reminder, job.user_id, hour, minute)
    if action is ReminderAction.DROP:
        job.schedule_removal()
        return
    if action is ReminderAction.SKIP or nudge is None:
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Start my refresher", callback_data=cb.QuizRefresh().pack())]]
    )
    try:
        await context.bot.send_message(nudge.chat_id, reminder_html(nudge), reply_markup=keyboard)
    except Forbidden:  # the officer blocked the bot: stop trying
        await store.run(quiz.clear_reminder, job.user_id)
        job.schedule_removal()
