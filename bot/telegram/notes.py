"""Field notes in Telegram: /note and its steps, /amend, /mynotes, and the supervisors'
/export and /stats.

The flow keeps nothing in memory: each step is a database row (bot.core.notes.drafts), so any
bot instance carries on where another left off, and a restart loses nothing. Buttons carry
`n:<draft token>:<step>:<value>`; a button from another draft or a finished step is stale.

For other features: `begin_note(update, context, text, tags)` starts a note pre-filled with
`text` and indicator `tags`, and shows its next step exactly as `/note TEXT` would.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.clock import now
from bot.core.guided.indicators import Indicator
from bot.core.notes import drafts
from bot.core.notes.drafts import (
    CATEGORY,
    CONFIRM,
    HANDLING,
    INFO,
    LOCATION,
    REASON,
    SKIP,
    SOURCE,
    STEPS,
    TEXT,
    URGENCY,
    WAITS_FOR_TEXT,
    Step,
)
from bot.core.notes.log import (
    CATEGORIES,
    MAX_TEXT,
    URGENCIES,
    Note,
    NoteDraft,
    find_note,
    parse_ref,
    times_text,
)
from bot.core.notes.view import (
    URGENT,
    alert_lines,
    grading_text,
    record_alert,
    supervisors_to_alert,
)
from bot.telegram import callbacks as cb
from bot.telegram.ask import button_text, send_card
from bot.telegram.edits import edit_or_send
from bot.telegram.render import inline
from bot.telegram.services import services

SAVE, EDIT, DROP, KEEP = "save", "edit", "cancel", "keep"
GROUP_REFUSAL = (
    "I don't take field notes in group chats: a note can hold personal data, and everyone "
    "here would see it. Send /note to me in a private chat."
)
PERSONAL_DATA = "🔒 Include only the personal data this note needs."
GRADING_CAVEAT = "As taught in force training; check your force's intelligence guidance."
SEND_LOCATION = "📍 Send my location"
SKIP_LOCATION = "Skip location"
STALE = {
    "done": "That step is already done. Use the buttons on the latest message.",
    "other": "That button belongs to an earlier note. Use the latest message, or /cancel.",
    "gone": "That note was discarded. Start a new one with /note.",
}


# -- starting a note ---------------------------------------------------------------------------
async def note_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/note [TEXT]: start a field note (private chats only)."""
    message = update.effective_message
    if not await _private(update, context):
        return
    text = _command_text(message)
    if update.edited_message is not None:
        await _edited(update, context)
        return
    origin = drafts.message_origin(message.chat_id, message.message_id)
    await _begin(update, context, origin, text, [], message.message_id if text else None)


async def begin_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, tags: list[str]
) -> None:
    """Start a note pre-filled with `text` and preset indicator `tags` (merged with what tagging
    finds), then show its next step exactly as `/note TEXT` would.

    For other features (the scene checklists' "save as note"). Works from a message or a
    callback-query update; from a button press the caller answers the query itself. In a
    group chat it refuses, as /note does. The officer's own message is deleted after saving
    only when it holds the text.
    """
    if not await _private(update, context):
        return
    message = update.effective_message
    if update.callback_query is not None:
        origin, holder = drafts.button_origin(update.callback_query.id), None
    else:
        origin = drafts.message_origin(message.chat_id, message.message_id)
        holder = (
            message.message_id if text.strip() and text.strip() in (message.text or "") else None
        )
    await _begin(update, context, origin, text.strip(), list(tags), holder)


async def amend_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/amend REF [TEXT]: add a correction linked to one of your notes."""
    message = update.effective_message
    if not await _private(update, context):
        return
    if update.edited_message is not None:
        await _edited(update, context)
        return
    ref_text, _, text = _command_text(message).partition(" ")
    if not ref_text:
        await message.reply_text(
            "Usage: <code>/amend FN-2026-000123</code>, then send the corrected text. "
            "Your references are in /mynotes. The original note stays as it is."
        )
        return
    ref = parse_ref(ref_text)
    note = await services(context).store.run(find_note, ref) if ref else None
    if note is None:
        await message.reply_text(
            f"I can't find a note <code>{html.escape(ref_text[:30])}</code>. "
            "Check the reference in /mynotes (it looks like FN-2026-000123)."
        )
        return
    if not drafts.may_amend(note, update.effective_user.id):
        await message.reply_text(
            f"{note.ref} was written by someone else: only its author can correct it."
        )
        return
    origin = drafts.message_origin(message.chat_id, message.message_id)
    text = text.strip()
    await _begin(update, context, origin, text, [], message.message_id if text else None, note.ref)


async def _begin(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    origin: str,
    text: str,
    preset: list[str],
    holder: int | None,
    amends: str | None = None,
) -> None:
    svc = services(context)
    chat, user = update.effective_chat.id, update.effective_user.id
    error = drafts.text_problem(text) if text else None
    begun = await svc.store.run(
        drafts.begin,
        chat,
        user,
        origin,
        kind="amend" if amends else "note",
        text="" if error else text,
        text_message_id=holder,
        preset=preset,
        found=[] if error else _tags(context, text),
        amends=amends,
    )
    if begun.status == "saved":
        await context.bot.send_message(
            chat, f"That note is already saved as <b>{begun.note.ref}</b>."
        )
        return
    draft = begun.draft
    if begun.status == "busy":
        await context.bot.send_message(
            chat,
            "You already have a note in progress (below). Finish it, or /cancel it and "
            "start again.",
        )
    elif begun.status == "started":
        if error:
            await context.bot.send_message(chat, error)
        elif draft.kind == "note" and draft.step != TEXT:
            await _send_tags(context, chat, draft)
    await _show(update, context, draft)


# -- the steps ---------------------------------------------------------------------------------
def _button(label: str, draft: NoteDraft, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=cb.NoteStep(draft.token, step, value).pack())


def _choices(draft: NoteDraft, step: Step, skip: str, codes: bool) -> InlineKeyboardMarkup:
    buttons = [
        _button(f"{key} · {label}" if codes else label, draft, step.name, key)
        for key, label in step.choices.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, [_button(skip, draft, step.name, SKIP)]])


Panel = tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]


@dataclass(frozen=True)
class ChoicePanel:
    """How a choice step of the flow (bot.core.notes.drafts.FLOWS) is asked."""

    title: Callable[[NoteDraft], str]
    skip: str = "Skip"
    codes: bool = False  # show each choice's code before its label (the 3x5x2 grades)


CHOICE_PANELS: dict[str, ChoicePanel] = {
    CATEGORY: ChoicePanel(lambda d: "<b>Category</b> (optional): what is this note mainly about?"),
    URGENCY: ChoicePanel(lambda d: "<b>Urgency</b> (optional)"),
    SOURCE: ChoicePanel(
        lambda d: (
            "<b>Intelligence grading, 3x5x2</b> (optional)\n"
            f"<i>{GRADING_CAVEAT}</i>\n\n<b>Source evaluation:</b>"
        ),
        "Skip grading",
        codes=True,
    ),
    INFO: ChoicePanel(
        lambda d: f"<b>Information assessment</b> (source {d.source_grade}):",
        "Skip grading",
        codes=True,
    ),
    HANDLING: ChoicePanel(
        lambda d: f"<b>Handling code</b> (graded {d.source_grade}/{d.info_grade}):",
        "Skip grading",
        codes=True,
    ),
}


async def _text_panel(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Panel:
    if draft.kind == "amend":
        original = await services(context).store.run(find_note, draft.amends)
        quoted = f"<blockquote>{html.escape(original.text)}</blockquote>\n" if original else ""
        text = (
            f"<b>Correcting {draft.amends}</b>\n{quoted}"
            "Send the corrected text in one message. The original stays in the notebook "
            "unchanged. /cancel to stop."
        )
    else:
        text = (
            "<b>New field note</b>\nType what you saw, in one message "
            f"(at most {MAX_TEXT:,} characters). /cancel to stop."
        )
    keep = draft.reviewing and draft.text
    markup = InlineKeyboardMarkup([[_button("Keep the current text", draft, TEXT, KEEP)]])
    return text, markup if keep else None


async def _reason_panel(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Panel:
    return (
        f"<b>Why is {draft.amends} being corrected?</b>\n"
        "One line, for example <i>wrong registration number</i>."
    ), None


async def _location_panel(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Panel:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(SEND_LOCATION, request_location=True)], [SKIP_LOCATION]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    return (
        f"<b>Location</b> (optional): tap <b>{SEND_LOCATION}</b> below to add where you "
        f"are, or <b>{SKIP_LOCATION}</b>.",
        keyboard,
    )


async def _confirm_panel(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Panel:
    return _confirm_text(context, draft), InlineKeyboardMarkup(
        [
            [_button("✅ Save note", draft, CONFIRM, SAVE)],
            [
                _button("✏️ Edit text", draft, CONFIRM, EDIT),
                _button("✖ Cancel", draft, CONFIRM, DROP),
            ],
        ]
    )


OTHER_PANELS: dict[str, Callable[[ContextTypes.DEFAULT_TYPE, NoteDraft], Awaitable[Panel]]] = {
    TEXT: _text_panel,
    REASON: _reason_panel,
    LOCATION: _location_panel,
    CONFIRM: _confirm_panel,
}


async def _panel(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Panel:
    """The message showing the draft's current step, and its keyboard."""
    step = STEPS[draft.step]
    if step.choices:
        panel = CHOICE_PANELS[step.name]
        return panel.title(draft), _choices(draft, step, panel.skip, panel.codes)
    return await OTHER_PANELS[step.name](context, draft)


def _confirm_text(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> str:
    quoted = f"<blockquote>{html.escape(draft.text)}</blockquote>"
    if draft.kind == "amend":
        return (
            f"<b>Check your correction to {draft.amends}</b>\n{quoted}\n"
            f"Reason: {html.escape(draft.reason)}\n\n{PERSONAL_DATA}"
        )
    located = (
        f"shared ({draft.latitude:.5f}, {draft.longitude:.5f})"
        if draft.latitude is not None
        else "not given"
    )
    labels = _labels(context, draft.tag_list)
    return (
        f"<b>Check your note</b>\n{quoted}\n"
        f"Category: {CATEGORIES.get(draft.category, 'none')}\n"
        f"Urgency: {URGENCIES.get(draft.urgency, 'not given')}\n"
        f"Location: {located}\n"
        f"Grading: {grading_text(draft)}\n"
        f"Indicators: {html.escape('; '.join(labels)) if labels else 'none recognised'}\n\n"
        f"{PERSONAL_DATA}"
    )


async def _show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft, edit: bool = False
) -> None:
    """Show the current step: in place of the pressed message (`edit`), or as a new message
    that replaces the previous one (after typed input, and for the location keyboard)."""
    text, markup = await _panel(context, draft)
    query = update.callback_query
    if edit and query is not None and not isinstance(markup, ReplyKeyboardMarkup):
        # The panel's id is tracked: a gone panel is an error, not a silent second panel.
        await edit_or_send(query, context, text, markup, resend=False)
        return
    chat = update.effective_chat.id
    sent = await context.bot.send_message(chat, text, reply_markup=markup)
    await services(context).store.run(
        drafts.set_panel, chat, update.effective_user.id, draft.token, draft.step, sent.message_id
    )
    if draft.panel_id and draft.panel_id != sent.message_id:
        await _delete(context, chat, draft.panel_id)


def _tags(context: ContextTypes.DEFAULT_TYPE, text: str) -> list[str]:
    indicators = services(context).knowledge.indicators
    return [i.tag for i in indicators.tag_note(text)] if indicators and text else []


def known_indicators(context: ContextTypes.DEFAULT_TYPE, tags: list[str]) -> list[Indicator]:
    indicators = services(context).knowledge.indicators
    return [indicators.by_tag[t] for t in tags if t in indicators.by_tag] if indicators else []


def _labels(context: ContextTypes.DEFAULT_TYPE, tags: list[str]) -> list[str]:
    return [i.label for i in known_indicators(context, tags)]


async def _send_tags(context: ContextTypes.DEFAULT_TYPE, chat: int, draft: NoteDraft) -> None:
    """The indicators the note mentions and the safeguarding steps they call for."""
    svc = services(context)
    indicators = svc.knowledge.indicators
    if indicators is None:
        return
    known = known_indicators(context, draft.tag_list)
    steps = indicators.steps(known, indicators.subjects(draft.text, known))
    if known:
        lines = ["<b>Your note mentions</b>"] + [f"• {inline(i.label)}" for i in known]
    else:
        lines = ["No indicators from the checklists recognised in your note."]
    lines += ["", "<b>What that calls for</b>"]
    lines += [f"{n}. {inline(step.text)}" for n, step in enumerate(steps, 1)]
    wanted = [t for step in steps for t in step.topics] + [i.topic_id for i in known]
    topics = [
        svc.knowledge.kb.topics[t] for t in dict.fromkeys(wanted) if t in svc.knowledge.kb.topics
    ]
    rows = [
        [InlineKeyboardButton(button_text(t.title), callback_data=cb.OpenTopic(t.id).pack())]
        for t in topics[:6]
    ]
    await context.bot.send_message(
        chat, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


# -- buttons -------------------------------------------------------------------------------------
async def note_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of a note's flow: a choice, skip, edit, save or cancel."""
    query = update.callback_query
    found = cb.NoteStep.parse(query.data)
    if found is None or update.effective_chat is None:
        await query.answer(STALE["gone"], show_alert=True)
        return
    token, step, value = found.token, found.step, found.value
    svc = services(context)
    chat, user = update.effective_chat.id, update.effective_user.id
    if step == CONFIRM and value == SAVE:
        await _save(update, context, token)
        return
    if step == CONFIRM and value == DROP:
        draft = await svc.store.run(drafts.discard, chat, user, token)
        if draft is None:
            await _stale(update, context, token)
            return
        await query.answer("Note discarded.")
        await query.edit_message_text("Note discarded. Nothing was saved.")
        return
    draft = await svc.store.run(drafts.choose, chat, user, token, step, value)
    if draft is None:
        await _stale(update, context, token)
        return
    await query.answer()
    await _show(update, context, draft, edit=True)


async def _stale(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    """A button that no longer applies: say why; the open draft, if any, is untouched."""
    why, ref = await services(context).store.run(
        drafts.why_stale, update.effective_chat.id, update.effective_user.id, token
    )
    text = f"That note is already saved as {ref}." if why == "saved" else STALE[why]
    await update.callback_query.answer(text, show_alert=True)


async def _save(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    query = update.callback_query
    chat, who = update.effective_chat.id, update.effective_user
    result = await services(context).store.run(drafts.save, chat, who.id, token, who.full_name)
    if result.status == "stale":
        await _stale(update, context, token)
        return
    note = result.note
    await query.answer(f"Saved as {note.ref}.")
    if result.status == "saved" and note.urgency == URGENT:
        await _alert_supervisors(context, note)
    removing = result.status == "saved" and bool(result.draft.message_ids)
    receipt = _receipt(context, note, removing)
    await edit_or_send(query, context, receipt)
    if removing:
        failed = 0
        for message_id in result.draft.message_ids:
            failed += not await _delete(context, chat, message_id)
        if failed:
            await context.bot.send_message(
                chat,
                f"I could not delete {failed} of your messages holding the note text "
                "(Telegram allows it only for 48 hours). Please delete them yourself.",
            )


async def _alert_supervisors(context: ContextTypes.DEFAULT_TYPE, note: Note) -> None:
    """An urgent note: a private message to every active supervisor, and an audit entry.

    The alert says where and what kind, not the text: that stays in the notebook."""
    svc = services(context)
    lines = alert_lines(note, svc.settings.timezone)
    text = f"🚨 <b>{html.escape(lines[0])}</b>\n" + "\n".join(html.escape(x) for x in lines[1:])
    text += "\nThe full note is in the notebook (/export)."
    alerted, failed = [], []
    for supervisor in await svc.store.run(supervisors_to_alert, note.author_id):
        try:
            await context.bot.send_message(supervisor, text)
            alerted.append(supervisor)
        except TelegramError:  # never started a chat with the bot, or blocked it
            failed.append(supervisor)
    await svc.store.run(record_alert, note, alerted, failed)


def _receipt(context: ContextTypes.DEFAULT_TYPE, note: Note, removing: bool) -> str:
    when = times_text(note.created_at, services(context).settings.timezone)
    if note.amends:
        return (
            f"✅ <b>Correction saved: {note.ref}</b>\nLinked to {note.amends}; the original is "
            f"unchanged.\nSaved {when}\nReason: {html.escape(note.reason)}"
        )
    labels = _labels(context, note.tag_list)
    grading = grading_text(note)
    return (
        f"✅ <b>Note saved: {note.ref}</b>\nSaved {when}\n"
        f"Category: {CATEGORIES.get(note.category, 'none')} · "
        f"Urgency: {URGENCIES.get(note.urgency, 'not given')}\n"
        f"Location: {'shared' if note.latitude is not None else 'not given'} · "
        f"Grading: {grading}\n"
        f"Indicators: {html.escape('; '.join(labels)) if labels else 'none recognised'}\n"
        f"{len(note.text):,} characters, kept in the notebook"
        + ("; your message with the text is removed from this chat" if removing else "")
        + f".\nTo correct it: /amend {note.ref}"
    )


# -- typed input -------------------------------------------------------------------------------
async def flow_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message for a note in progress (text, location, or something unreadable): use it and
    stop the update; anything else falls through to the question handler."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    draft, taken = await svc.store.run(
        drafts.draft_for, message.chat_id, user.id, message.message_id
    )
    if draft is None:
        if taken:  # a note (saved or discarded) had this message: never a question
            raise ApplicationHandlerStop
        return
    if update.edited_message is not None:
        if not taken:
            return
        if message.text is not None:  # not a live location moving, say
            await _edited(update, context)
        raise ApplicationHandlerStop
    if taken:
        raise ApplicationHandlerStop  # a redelivered update: already used
    if not drafts.takes_typing(draft, now()) and not message.location:
        return  # an old draft no longer captures typing; /note shows it again
    if message.location:
        await _location(update, context, draft)
    elif draft.step in WAITS_FOR_TEXT:
        await _typed(update, context, draft)
    elif draft.step == LOCATION:
        await _location_step_text(update, context, draft)
    elif message.text:
        if await _answer_mid_note(update, context):
            raise ApplicationHandlerStop
        await message.reply_text(
            "You have a note open: use the buttons below, or /cancel it. I didn't add this "
            "message to the note (to change its text, use ✏️ Edit text at the end)."
        )
        await _show(update, context, draft)
    else:
        return
    raise ApplicationHandlerStop


async def _answer_mid_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A question typed while a note waits for a button: answer it, keep the note open.

    Only a confident answer is given: anything else may be note details typed in the wrong
    place, and is neither searched further nor kept as a curators' gap.
    """
    message = update.effective_message
    result = services(context).knowledge.engine.search(message.text or "")
    if not result.answered:
        return False
    await send_card(message, context, result.hits[0].topic, quote=True)
    await message.reply_text(
        "Your note is still open: carry on with its buttons above, or /cancel it."
    )
    return True


async def _typed(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> None:
    message, svc = update.effective_message, services(context)
    chat, user = message.chat_id, update.effective_user.id
    what = "reason" if draft.step == REASON else "note"
    if message.text is None:
        await message.reply_text(
            f"I need the {what} as text: photos, stickers and voice messages can't be saved in "
            f"a note. {drafts.HINTS[draft.step]} Your draft is still open."
        )
        return
    text = message.text.strip()
    problem = drafts.text_problem(text, draft.step)
    if problem:
        await svc.store.run(drafts.record_message, chat, user, message.message_id)
        await message.reply_text(problem)
        return
    if draft.step == REASON:
        updated = await svc.store.run(drafts.set_reason, chat, user, text, message.message_id)
    else:
        found = _tags(context, text)
        updated = await svc.store.run(drafts.set_text, chat, user, text, found, message.message_id)
    if updated is None:  # another instance moved the draft on a moment ago
        updated = await svc.store.run(drafts.get_draft, chat, user)
        if updated is None:
            return
    elif draft.step == TEXT and updated.kind == "note":
        await _send_tags(context, chat, updated)
    await _show(update, context, updated)


async def _location(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> None:
    message = update.effective_message
    if draft.kind != "note" or draft.step == TEXT:
        await message.reply_text(
            "A location can be added once the note text is in: type what you saw first."
            if draft.kind == "note"
            else "A correction holds text only: send the corrected text."
        )
        return
    point = message.location
    updated = await services(context).store.run(
        drafts.set_location,
        message.chat_id,
        update.effective_user.id,
        point.latitude,
        point.longitude,
        message.message_id,
    )
    if updated is None:
        return
    await message.reply_text("📍 Location added to your note.", reply_markup=ReplyKeyboardRemove())
    await _show(update, context, updated)


async def _location_step_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft
) -> None:
    message = update.effective_message
    if (message.text or "").strip().casefold() in (SKIP_LOCATION.casefold(), "skip"):
        updated = await services(context).store.run(
            drafts.choose, message.chat_id, update.effective_user.id, draft.token, LOCATION, SKIP
        )
        if updated is not None:
            await message.reply_text("No location added.", reply_markup=ReplyKeyboardRemove())
            await _show(update, context, updated)
        return
    if await _answer_mid_note(update, context):
        return
    await message.reply_text(
        f"Share your location with <b>{SEND_LOCATION}</b> below, or tap <b>{SKIP_LOCATION}</b>. "
        "Your draft is still open (/cancel to discard it)."
    )


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit of the message holding the note text changes the draft's text."""
    message, svc = update.effective_message, services(context)
    text = (message.text or "").strip()
    if text.startswith("/"):
        command, text = text.split()[0].split("@")[0], _command_text(message)
        if command == "/amend":
            text = text.partition(" ")[2].strip()
    problem = drafts.text_problem(text)
    chat, user = message.chat_id, update.effective_user.id
    updated = None
    if not problem:
        updated = await svc.store.run(
            drafts.replace_text, chat, user, message.message_id, text, _tags(context, text)
        )
    if updated is None:
        await message.reply_text(
            problem or "Editing that message doesn't change the note; use ✏️ Edit text."
        )
        return
    await message.reply_text("Note text updated from your edit.")
    if updated.step == CONFIRM:
        await _show(update, context, updated)


async def cancel_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """/cancel: discard the note in progress, and the step message that may show its text."""
    if update.effective_chat is None or update.effective_user is None:
        return None
    chat = update.effective_chat.id
    draft = await services(context).store.run(drafts.discard, chat, update.effective_user.id)
    if draft is None:
        return None
    if draft.panel_id:
        await _delete(context, chat, draft.panel_id)
    return "Note discarded: nothing was saved."


# -- helpers -------------------------------------------------------------------------------------
async def _private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return True
    if chat is not None:
        await context.bot.send_message(chat.id, GROUP_REFUSAL)
    return False


def _command_text(message: Message) -> str:
    """What follows the command, newlines kept ("/note@bot text" as well)."""
    text = message.text or ""
    entity = message.entities[0] if message.entities else None
    if entity and entity.offset == 0 and entity.type == "bot_command":
        return text[entity.length :].strip()
    return text.partition(" ")[2].strip()


async def _delete(context: ContextTypes.DEFAULT_TYPE, chat: int, message_id: int) -> bool:
    try:
        return bool(await context.bot.delete_message(chat, message_id))
    except TelegramError:
        return False
