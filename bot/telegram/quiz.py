"""/quiz, /refresh, /progress, /remind and /cohort: recruit refreshers with inline buttons.

Rounds, answers and reminders live in the database (bot.core.quiz); every button carries the
round id and question position, so a button from an old round gets a polite answer and
changes nothing.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ContextTypes, JobQueue

from bot.config import SettingsError
from bot.core.access import Role, now
from bot.core.numbers import parse_int
from bot.core.quiz import (
    Answered,
    Cohort,
    Nudge,
    Progress,
    QuizService,
    ReminderAction,
    Shown,
    Stale,
    Started,
    parse_category,
)
from bot.core.quiz_bank import QuizBank
from bot.core.quiz_schedule import DAILY_REVIEWS, Tally, TopicScore, bar
from bot.core.services import KnowledgeError
from bot.core.topics import CATEGORIES, CATEGORY_LABELS
from bot.telegram import callbacks as cb
from bot.telegram.ask import button_text
from bot.telegram.private import private_only
from bot.telegram.render import inline
from bot.telegram.services import BotServices, role, services

PREFIX = "q"
KEY = "quiz"
ANSWER, START, REFRESH, PROGRESS = "a", "s", "r", "p"
ALL = "all"
SHORT = {
    "indicators": "Indicators",
    "safeguarding": "Safeguarding",
    "legislation": "Legislation",
    "background": "Background",
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")
MAX_COHORT_ROWS = 40

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
    bank = QuizBank.cached(svc.knowledge.kb)
    if bank.errors:
        shown = "\n".join(str(p) for p in bank.errors[:20])
        raise KnowledgeError(f"quiz bank has errors (run `kb check`):\n{shown}")
    try:
        tz = ZoneInfo(svc.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"TIMEZONE: unknown time zone {svc.settings.timezone!r}") from exc
    return QuizService(bank, tz)


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
                    callback_data=cb.pack(PREFIX, ANSWER, shown.round_id, shown.position, i),
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
                    callback_data=cb.pack(cb.OPEN_TOPIC, topic_id),
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


def after_round_keyboard(kind: str, category: str | None) -> InlineKeyboardMarkup:
    again = (
        cb.pack(PREFIX, REFRESH) if kind == "refresh" else cb.pack(PREFIX, START, category or ALL)
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Another round", callback_data=again),
                InlineKeyboardButton("My progress", callback_data=cb.pack(PREFIX, PROGRESS)),
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
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
    return f"{local:%a %d %b} at {local:%H:%M}"


def progress_html(progress: Progress, total: int) -> str:
    lines = [
        f"<b>Your progress</b>: {progress.answered} of {total} questions answered",
        "<pre>" + "\n".join(_chart_line(c, t) for c, t in progress.tallies.items()) + "</pre>",
        "█ mastered  ▒ learning  · not seen yet (counts in the same order)",
    ]
    if progress.due:
        lines.append(f"{progress.due} due now: send /refresh.")
    elif progress.answered:
        lines.append("Nothing due right now.")
    else:
        lines.append("Send /quiz or /refresh to start.")
    if progress.weakest:
        lines += ["", "<b>Weakest topics</b> (tap one to read it):"]
    return "\n".join(lines)


def _chart_line(category: str, tally: Tally) -> str:
    return (
        f"{SHORT.get(category, category)[:12]:<12} {bar(tally)} "
        f"{tally.mastered:>2} {tally.learning:>2} {tally.new:>2}"
    )


def weakest_keyboard(
    context: ContextTypes.DEFAULT_TYPE, weakest: list[TopicScore]
) -> InlineKeyboardMarkup | None:
    topics = services(context).knowledge.kb.topics
    rows = [
        [
            InlineKeyboardButton(
                button_text(f"{w.right} of {w.seen} right: {topics[w.topic].title}"),
                callback_data=cb.pack(cb.OPEN_TOPIC, w.topic),
            )
        ]
        for w in weakest
        if w.topic in topics
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def cohort_html(cohort: Cohort, today: datetime) -> str:
    if not cohort.recruits:
        return "No recruits yet: officers enrolled with the officer role appear here."
    count = len(cohort.recruits)
    seen = sum(r.seen for r in cohort.recruits)
    mastered = sum(r.mastered for r in cohort.recruits)
    possible = count * cohort.bank_size or 1
    lines = [
        f"<b>Recruits' refreshers</b>: {count} recruit{'s' if count != 1 else ''}, "
        f"{cohort.bank_size} questions",
        f"Seen {round(100 * seen / possible)}% of the bank on average, mastered "
        f"{round(100 * mastered / possible)}%. Active in the last 7 days: {cohort.active} of "
        f"{count}.",
    ]
    rows = []
    for r in cohort.recruits[:MAX_COHORT_ROWS]:
        tally = Tally(r.mastered, r.seen - r.mastered, cohort.bank_size - r.seen)
        last = "never" if r.last is None else _ago(r.last, today)
        rows.append(
            f"{html.escape(f'{r.name[:14]:<14}')} {bar(tally)} "
            f"{round(100 * r.seen / max(cohort.bank_size, 1)):>3}% {last}"
        )
    lines.append("<pre>" + "\n".join(rows) + "</pre>")
    if count > MAX_COHORT_ROWS:
        lines.append(f"… and {count - MAX_COHORT_ROWS} more.")
    lines.append("█ mastered  ▒ learning  · not seen yet; % of the bank seen; last answer")
    if cohort.weakest:
        lines += ["", "<b>Weakest topics across recruits</b> (tap one to read it):"]
    return "\n".join(lines)


def _ago(moment: datetime, today: datetime) -> str:
    days = (today - moment).days
    return "today" if days <= 0 else f"{days}d ago"


def category_keyboard() -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(CATEGORY_LABELS[c], callback_data=cb.pack(PREFIX, START, c))]
        for c in CATEGORIES
    ]
    rows.append(
        [InlineKeyboardButton("All categories", callback_data=cb.pack(PREFIX, START, ALL))]
    )
    return InlineKeyboardMarkup(rows)


def zone(tz: ZoneInfo) -> str:
    """How officers name the clock the reminders follow."""
    return "UK time" if tz.key == "Europe/London" else f"{tz.key} time"


def parse_time(text: str) -> tuple[int, int] | None:
    found = _TIME.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


# -- commands --------------------------------------------------------------------------------


async def quiz_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A round of five questions, from one category or all of them."""
    message = update.effective_message
    wanted = " ".join(context.args or []).strip()
    category = None
    if wanted and wanted.casefold() != ALL:
        category = parse_category(wanted)
        if category is None:
            await message.reply_text(
                f"I don't know the category <i>{html.escape(wanted[:40])}</i>. Pick one:",
                reply_markup=category_keyboard(),
            )
            return
    await _start(context, update.effective_chat.id, update.effective_user.id, "quiz", category)


async def refresh_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The spaced-repetition round: questions due for review first, then new ones."""
    await _start(context, update.effective_chat.id, update.effective_user.id, "refresh", None)


async def _start(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    kind: str,
    category: str | None,
) -> None:
    quiz = _quiz(context)
    started = await services(context).store.run(quiz.start, user_id, kind, category)
    if started.first is None:
        text = (
            nothing_to_refresh(started, quiz.tz)
            if kind == "refresh"
            else "There are no questions in that category yet. Try /quiz for all categories."
        )
        await context.bot.send_message(chat_id, text)
        return
    intro = refresh_intro(started) if kind == "refresh" else ""
    if started.replaced:
        intro = ("Your unfinished round was set aside.\n" + intro).strip()
    await context.bot.send_message(
        chat_id,
        question_html(started.first, intro),
        reply_markup=question_keyboard(started.first),
    )


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Mastered, learning and not seen per category, and the weakest topics."""
    await _send_progress(context, update.effective_chat.id, update.effective_user.id)


async def _send_progress(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> None:
    quiz = _quiz(context)
    progress = await services(context).store.run(quiz.progress, user_id)
    await context.bot.send_message(
        chat_id,
        progress_html(progress, len(quiz.bank.questions)),
        reply_markup=weakest_keyboard(context, progress.weakest),
    )


@private_only("recruits' progress")
async def cohort_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Trainers: every recruit's completion and the weakest topics across them."""
    message = update.effective_message
    if role(context) not in (Role.TRAINER, Role.ADMIN):
        await message.reply_text("That command is for trainers only.")
        return
    cohort = await services(context).store.run(_quiz(context).cohort)
    await message.reply_text(
        cohort_html(cohort, now()), reply_markup=weakest_keyboard(context, cohort.weakest)
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
    parts = cb.unpack(query.data)
    action = parts[1] if len(parts) > 1 else ""
    user_id = update.effective_user.id
    numbers = [parse_int(p, 0, 2**31 - 1) for p in parts[2:]]  # an INTEGER column
    if action == ANSWER and len(parts) == 5 and None not in numbers:
        await _answer(update, context, *numbers)
        return
    if action not in (START, REFRESH, PROGRESS):
        await query.answer("That button has expired. Send /quiz for a new round.", show_alert=True)
        return
    await query.answer()
    chat_id = update.effective_chat.id
    if action == PROGRESS:
        await _send_progress(context, chat_id, user_id)
    elif action == REFRESH:
        await _start(context, chat_id, user_id, "refresh", None)
    else:
        wanted = parts[2] if len(parts) > 2 else ALL
        category = wanted if wanted in CATEGORIES else None
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
        text, keyboard = score_html(result), after_round_keyboard(result.kind, result.category)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)


async def _show_feedback(
    update: Update, context: ContextTypes.DEFAULT_TYPE, result: Answered
) -> None:
    """Turn the question into its answer (no buttons left to tap twice), or reply if too old."""
    query = update.callback_query
    text = feedback_html(result)
    keyboard = topic_keyboard(context, result.shown.question.topic)
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)


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
        [[InlineKeyboardButton("Start my refresher", callback_data=cb.pack(PREFIX, REFRESH))]]
    )
    try:
        await context.bot.send_message(nudge.chat_id, reminder_html(nudge), reply_markup=keyboard)
    except Forbidden:  # the officer blocked the bot: stop trying
        await store.run(quiz.clear_reminder, job.user_id)
        job.schedule_removal()
