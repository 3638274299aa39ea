"""/check child|cuckooing|adult: the scene checklists as toggles, then the steps they call for.

The ticks live in the buttons (a bitmask in the callback data), so a checklist keeps working
across a restart and on any instance. On the instance that drew the message the latest ticks
are also remembered, so two quick taps made before the phone redraws the buttons both count.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.core.answers.cards import CAVEAT
from bot.core.guided.flows import checklist_note_text as note_text
from bot.core.guided.flows import checklist_version, ticked
from bot.core.guided.indicators import ChecklistSpec, Indicator, Indicators
from bot.telegram import callbacks as cb
from bot.telegram import guided
from bot.telegram.ask import button_text, topic_button
from bot.telegram.edits import edit_or_send
from bot.telegram.render import inline, split
from bot.telegram.services import services

KIND = "check"
DONE, EDIT, NOTE, CANCEL = "d", "e", "n", "x"
TICK, BOX = "✅", "▫️"
CANCELLED = "Checklist cancelled. Nothing was saved."
CHANGED = "This checklist has been updated since it was opened, so please tick it again."
UNAVAILABLE = "Checklists are not available right now. Ask a question instead."
_MASKS = "check_masks"  # chat_data: message id -> latest ticks drawn in that message


def cancel_hook() -> guided.Canceller:
    return guided.canceller(KIND, CANCELLED)


def _indicators(context: ContextTypes.DEFAULT_TYPE) -> Indicators | None:
    return services(context).knowledge.indicators


def find(indicators: Indicators, wanted: str) -> str | None:
    """A checklist name from what was typed: exact, or the one it clearly means ("cuckoo")."""
    names = list(indicators.spec.checklists)
    wanted = wanted.casefold().strip()
    if wanted in names:
        return wanted
    close = [n for n in names if wanted and (n.startswith(wanted) or wanted.startswith(n))]
    return close[0] if len(close) == 1 else None


def menu(indicators: Indicators) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button_text(spec.title), callback_data=cb.Checklist(name).pack()
                )
            ]
            for name, spec in indicators.spec.checklists.items()
        ]
    )


def checklist_text(spec: ChecklistSpec, items: list[Indicator], mask: int) -> str:
    count = len(ticked(items, mask))
    so_far = f"Ticked: {count} of {len(items)}." if count else "Nothing ticked yet."
    return f"<b>{inline(spec.title)}</b>\nTap each sign you have seen, then <b>Done</b>. {so_far}"


def _tap(name: str, items: list[Indicator], mask: int, action: str) -> str:
    """A tap on the list as drawn: its version and ticks travel with the button."""
    return cb.Checklist(name, checklist_version(items), f"{mask:x}", action).pack()


def checklist_keyboard(name: str, items: list[Indicator], mask: int) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                f"{TICK if mask >> n & 1 else BOX} {item.label}",
                callback_data=_tap(name, items, mask, str(n)),
            )
        ]
        for n, item in enumerate(items)
    ]
    rows.append(
        [
            InlineKeyboardButton("Done ✔", callback_data=_tap(name, items, mask, DONE)),
            InlineKeyboardButton(
                "Cancel",
                callback_data=_tap(name, items, mask, CANCEL),
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


def summary(
    indicators: Indicators, spec: ChecklistSpec, items: list[Indicator], mask: int
) -> tuple[list[str], list[str]]:
    """The summary as messages, and the topics its buttons open (step topics, then the list's)."""
    seen = ticked(items, mask)
    steps = indicators.steps(seen, {spec.subject})
    paragraphs = [
        f"<b>{inline(spec.title)}</b>",
        f"<b>Seen ({len(seen)} of {len(items)})</b>\n"
        + "\n".join(f"• {inline(item.label)}" for item in seen),
        "<b>What this calls for</b>\n"
        + "\n".join(f"{n}. {inline(step.text)}" for n, step in enumerate(steps, 1)),
        f"<i>{inline(CAVEAT)}</i>",
    ]
    topics = list(dict.fromkeys([t for step in steps for t in step.topics] + [spec.topic]))
    return split(paragraphs), topics


def summary_keyboard(
    context: ContextTypes.DEFAULT_TYPE, name: str, items: list[Indicator], mask: int, topics: list
) -> InlineKeyboardMarkup:
    kb = services(context).knowledge.kb
    rows = [[topic_button(kb.topics[t])] for t in topics if t in kb.topics]
    rows.append(
        [
            InlineKeyboardButton(
                "Save as field note",
                callback_data=_tap(name, items, mask, NOTE),
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                "« Change answers",
                callback_data=_tap(name, items, mask, EDIT),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open a checklist, or offer the three when none (or an unknown one) is named."""
    message = update.effective_message
    indicators = _indicators(context)
    if indicators is None:
        await message.reply_text(UNAVAILABLE)
        return
    wanted = " ".join(context.args or [])
    name = find(indicators, wanted) if wanted else None
    if name is None:
        intro = (
            f"I don't have a checklist called <i>{html.escape(wanted[:60])}</i>. "
            if wanted
            else ""
        )
        await message.reply_text(
            intro + "Which checklist? Tap one:", reply_markup=menu(indicators)
        )
        return
    spec, items = indicators.checklist(name) or (None, [])
    assert spec is not None  # `find` only returns names of checklists
    sent = await message.reply_text(
        checklist_text(spec, items, 0), reply_markup=checklist_keyboard(name, items, 0)
    )
    guided.remember(context, KIND, sent.message_id)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every checklist button: choose a list, tick, done, change answers, save, cancel."""
    query = update.callback_query
    tap = cb.Checklist.parse(query.data)
    indicators = _indicators(context)
    found = indicators.checklist(tap.name) if indicators and tap else None
    if found is None:
        await query.answer("That checklist is no longer available. Send /check.", show_alert=True)
        return
    name = tap.name
    spec, items = found
    message_id = query.message.message_id if query.message else 0
    if tap == cb.Checklist(name):  # a choice from the /check menu
        await query.answer()
        await guided.draw(
            query, context, checklist_text(spec, items, 0), checklist_keyboard(name, items, 0)
        )
        guided.remember(context, KIND, message_id)
        return
    if not tap.action or tap.version != checklist_version(items) or not _is_hex(tap.mask):
        await query.answer()
        await guided.draw(
            query,
            context,
            f"{CHANGED}\n\n{checklist_text(spec, items, 0)}",
            checklist_keyboard(name, items, 0),
        )
        guided.remember(context, KIND, message_id)
        return
    action, shown = tap.action, int(tap.mask, 16)
    mask = _latest(context, message_id, shown)
    if action.isdecimal() and len(action) <= 3 and int(action) < len(items):
        await query.answer()
        bit = 1 << int(action)
        mask = (mask & ~bit) | (~shown & bit)  # the tap meant: flip what it showed
        _store(context, message_id, mask)
        await guided.draw(
            query,
            context,
            checklist_text(spec, items, mask),
            checklist_keyboard(name, items, mask),
        )
    elif action == DONE:
        if not ticked(items, mask):
            await query.answer(
                "Tick the signs you have seen first. If none apply, tap Cancel.", show_alert=True
            )
            return
        await query.answer()
        guided.forget(context, KIND, message_id)
        parts_html, topics = summary(indicators, spec, items, mask)
        await edit_or_send(
            query, context, parts_html, summary_keyboard(context, name, items, mask, topics)
        )
    elif action == EDIT:
        await query.answer()
        _store(context, message_id, mask)
        await guided.draw(
            query,
            context,
            checklist_text(spec, items, mask),
            checklist_keyboard(name, items, mask),
        )
        guided.remember(context, KIND, message_id)
    elif action == NOTE:
        await _save_note(update, context, spec, ticked(items, mask))
    elif action == CANCEL:
        await query.answer()
        guided.forget(context, KIND, message_id)
        await guided.draw(query, context, CANCELLED, None)
    else:
        await query.answer("That button has expired. Send /check again.", show_alert=True)


async def _save_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, spec: ChecklistSpec, seen: list[Indicator]
) -> None:
    """Hand the result to the field-notes flow, pre-filled, with the ticked items as tags."""
    query = update.callback_query
    try:
        from bot.telegram.notes import begin_note
    except ImportError:
        await query.answer(
            "Saving a checklist as a field note is not available yet.", show_alert=True
        )
        return
    if not seen:
        await query.answer("Nothing was ticked, so there is nothing to save.", show_alert=True)
        return
    await query.answer()
    await begin_note(update, context, note_text(spec, seen), [i.tag for i in seen])


def _is_hex(text: str) -> bool:
    return 0 < len(text) <= 16 and all(c in "0123456789abcdef" for c in text)


def _latest(context: ContextTypes.DEFAULT_TYPE, message_id: int, shown: int) -> int:
    """The latest ticks of this message on this instance, else what its buttons showed."""
    masks = context.chat_data.get(_MASKS, {}) if context.chat_data is not None else {}
    return masks.get(message_id, shown)


def _store(context: ContextTypes.DEFAULT_TYPE, message_id: int, mask: int) -> None:
    if context.chat_data is None:
        return
    masks: dict[int, int] = context.chat_data.setdefault(_MASKS, {})
    masks[message_id] = mask
    while len(masks) > guided.MAX_OPEN:
        del masks[next(iter(masks))]
