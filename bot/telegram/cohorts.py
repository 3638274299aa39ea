"""/cohort for trainers and admins, and a trainer's /invite for a recruit.

A trainer's `/invite recruit [COHORT]` makes an officer enrolment code that puts the recruit in
that cohort (their first one by default); other invites stay with the admin command. /cohort
shows people's results, so it answers only in a private chat.
"""

from __future__ import annotations

import html
import io
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot.core.access.users import Role
from bot.core.clock import now
from bot.core.quiz.cohorts import CohortError, Cohorts, CohortView, TopicStat, active_since, to_csv
from bot.telegram import admin
from bot.telegram import callbacks as cb
from bot.telegram.ask import button_text
from bot.telegram.services import role, services

KEY = "cohorts"
MAX_ROWS = 40
MAX_CHARS = 4000  # a Telegram message holds 4096
RECRUIT_WORDS = ("recruit", "recruits")
USAGE = (
    "<b>/cohort</b>: your recruits' results\n"
    "<code>/cohort new NAME</code>: create a cohort\n"
    "<code>/cohort move USER NAME</code>: move a recruit (id or @username) to another cohort\n"
    "<code>/cohort export</code>: the same results as a CSV file\n"
    "<code>/invite recruit [NAME]</code>: an enrolment code that puts a recruit in a cohort"
)


def _cohorts(context: ContextTypes.DEFAULT_TYPE) -> Cohorts:
    return context.bot_data[KEY]


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Trainers (and admins, with `recruit`) invite a recruit into a cohort; every other
    invite is the admin command's."""
    args = context.args or []
    who = role(context)
    for_recruit = bool(args) and args[0].casefold() in RECRUIT_WORDS
    if who is Role.TRAINER and not (not args or for_recruit or args[0].casefold() == "officer"):
        await update.effective_message.reply_text(
            "Trainers can invite recruits: <code>/invite recruit</code>, or "
            "<code>/invite recruit COHORT</code> for one of your cohorts."
        )
        return
    if who is not Role.TRAINER and not (who is Role.ADMIN and for_recruit):
        await admin.invite(update, context)
        return
    message = update.effective_message
    name = " ".join(args[1:]) or None
    svc = services(context)
    try:
        code, expires, cohort = await svc.store.run(
            _cohorts(context).invite_recruit,
            update.effective_user.id,
            who is Role.ADMIN,
            name,
        )
    except CohortError as exc:
        await message.reply_text(str(exc))
        return
    link = f"https://t.me/{context.bot.username}?start={code}" if context.bot.username else ""
    await message.reply_text(
        f"One-time enrolment code for a new <b>recruit</b> in the cohort "
        f"<b>{html.escape(cohort.name)}</b>:\n<code>{code}</code>\n\n"
        f"They send <code>/start {code}</code> to me{', or open ' + link if link else ''}.\n"
        f"It works once and expires {expires:%d %b %H:%M} UTC. Share it only with that person."
    )


async def cohort_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Results per recruit and the cohort's weakest topics; `new`, `move` and `export`."""
    message = update.effective_message
    who = role(context)
    args = context.args or []
    action = args[0].casefold() if args else ""
    store, cohorts = services(context).store, _cohorts(context)
    me, is_admin = update.effective_user.id, who is Role.ADMIN
    try:
        if action == "new" and len(args) > 1:
            made = await store.run(cohorts.create, me, " ".join(args[1:]))
            await message.reply_text(
                f"Cohort <b>{html.escape(made.name)}</b> created. Invite recruits into it with "
                f"<code>/invite recruit {html.escape(made.name)}</code>, or move one in with "
                f"<code>/cohort move USER {html.escape(made.name)}</code>."
            )
        elif action == "move" and len(args) > 2:
            user, target = await store.run(cohorts.move, me, is_admin, args[1], " ".join(args[2:]))
            await message.reply_text(
                f"{html.escape(user.name or str(user.id))} is now in "
                f"<b>{html.escape(target.name)}</b>."
            )
        elif action == "export" and len(args) == 1:
            views = await store.run(cohorts.views, me, is_admin)
            await _export(update, views)
        elif not args:
            views = await store.run(cohorts.views, me, is_admin)
            await _show(update, context, views)
        else:
            await message.reply_text(USAGE)
    except CohortError as exc:
        await message.reply_text(str(exc))


async def _show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, views: list[CohortView]
) -> None:
    message = update.effective_message
    if not views:
        await message.reply_text(
            "You have no cohort yet. <code>/invite recruit</code> makes an enrolment code that "
            "puts a recruit in yours; <code>/cohort new NAME</code> creates a named one.\n\n"
            + USAGE
        )
        return
    titles = {t.id: t.title for t in services(context).knowledge.kb.topics.values()}
    when = now()
    for view in views:
        await message.reply_text(
            cohort_html(view, titles, when), reply_markup=_weakest_keyboard(view.weakest, titles)
        )


def cohort_html(view: CohortView, titles: dict[str, str], when: datetime) -> str:
    count = len(view.recruits)
    head = f"<b>{html.escape(view.name)}</b>" + (
        f" · trainer {html.escape(view.trainer)}" if view.trainer else ""
    )
    if not count:
        return (
            f"{head}\nNo recruits yet. Send <code>/invite recruit {html.escape(view.name)}</code>."
        )
    lines = [
        head,
        f"{count} recruit{'s' if count != 1 else ''}, {active_since(view.recruits, when)} "
        f"active in the last 7 days. Bank: {view.recruits[0].bank_size} questions.",
    ]
    rows = [f"{'':<16} {'right':>5} {'mast.':>5}  last"]
    for r in view.recruits[:MAX_ROWS]:
        accuracy = "-" if r.accuracy is None else f"{round(100 * r.accuracy)}%"
        rows.append(
            f"{r.name[:16]:<16} {accuracy:>5} {round(100 * r.mastered_share):>4}%  "
            f"{_ago(r.last_active, when)}"
        )
    lines.append("<pre>" + html.escape("\n".join(rows)) + "</pre>")
    if count > MAX_ROWS:
        lines.append(f"… and {count - MAX_ROWS} more (all of them in /cohort export).")
    lines.append(
        "right: share of answers right; mast.: share of the bank mastered; last: last answer."
    )
    tail = []
    if view.weakest:
        tail += ["", "<b>The cohort's weakest topics</b> (tap one to read it):"]
        tail += [f"• {_stat(w, titles)}" for w in view.weakest]
    weak = [
        f"• {html.escape(r.name[:30])}: " + ", ".join(_stat(w, titles) for w in r.weakest)
        for r in view.recruits[:MAX_ROWS]
        if r.weakest
    ]
    if weak:
        lines += ["", "<b>Weakest topics per recruit</b> (5 answers or more):"]
        room = MAX_CHARS - len("\n".join(lines + tail)) - 60
        for n, line in enumerate(weak):
            if len(line) + 1 > room:
                lines.append(f"… {len(weak) - n} more in /cohort export.")
                break
            lines.append(line)
            room -= len(line) + 1
    return "\n".join(lines + tail)


def _stat(stat: TopicStat, titles: dict[str, str]) -> str:
    return f"{html.escape(titles.get(stat.topic, stat.topic))} ({stat.right} of {stat.answers})"


def _ago(moment: datetime | None, when: datetime) -> str:
    if moment is None:
        return "never"
    days = (when - moment).days
    return "today" if days <= 0 else f"{days}d ago"


def _weakest_keyboard(
    weakest: list[TopicStat], titles: dict[str, str]
) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                button_text(titles[w.topic]), callback_data=cb.OpenTopic(w.topic).pack()
            )
        ]
        for w in weakest
        if w.topic in titles
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def _export(update: Update, views: list[CohortView]) -> None:
    recruits = sum(len(v.recruits) for v in views)
    if not recruits:
        await update.effective_message.reply_text("No recruits in your cohorts yet.")
        return
    await update.effective_message.reply_document(
        InputFile(io.BytesIO(to_csv(views)), filename=f"cohorts-{now():%Y-%m-%d}.csv"),
        caption=f"Refresher results: {recruits} recruit{'s' if recruits != 1 else ''} in "
        f"{len(views)} cohort{'s' if len(views) != 1 else ''}. Accuracy counts every answer; "
        "weakest topics need 5 answers or more.",
    )
