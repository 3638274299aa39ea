"""`build_application(settings)`: the one place where handlers are registered, in order."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings, SettingsError
from bot.core.access.ratelimit import RateLimiter
from bot.core.access.users import Access
from bot.core.notes.log import use_chain_key
from bot.core.quiz.cohorts import Cohorts
from bot.core.services import Knowledge, load_knowledge
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS
from bot.core.storage.store import Store
from bot.telegram import (
    ask,
    basics,
    browse,
    checks,
    cohorts,
    commands,
    feedback,
    inline,
    menus,
    notes,
    quiz,
    refer,
    shortcuts,
    status,
)
from bot.telegram import callbacks as cb
from bot.telegram.errors import on_error
from bot.telegram.gate import ENROL_ATTEMPTS, gate
from bot.telegram.retention import schedule_retention
from bot.telegram.services import BotServices
from bot.telegram.transport import AiohttpRequest
from bot.telegram.webhook import run_webhook

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats are served concurrently; one chat's updates run strictly in order.

    Officers don't wait for each other, and a quick second tap in a flow never overtakes the
    first (what python-telegram-bot's plain concurrency would allow).
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _fast_event_loop() -> None:
    """uvloop where available: the HTTP client's asyncio overhead is most of the bot's CPU."""
    try:
        import uvloop
    except ImportError:  # not on Windows; the standard loop works the same, only slower
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


def build_application(
    settings: Settings, *, knowledge: Knowledge | None = None, store: Store | None = None
) -> Application:
    """The whole bot: services, then every handler in the order it must be tried."""
    if settings.telegram_bot_token is None:
        raise SettingsError("TELEGRAM_BOT_TOKEN is required to run the Telegram bot.")
    key = settings.notes_chain_key
    use_chain_key(key.get_secret_value() if key else None)
    knowledge = knowledge or load_knowledge(settings.knowledge_dir)
    store = store or Store(open_database(settings.database_url, MODELS))
    svc = BotServices(
        settings=settings,
        knowledge=knowledge,
        store=store,
        access=Access(settings.admin_ids),
        limiter=RateLimiter(settings.rate_limit_per_minute),
        tap_limiter=RateLimiter(settings.rate_limit_per_minute * 5),
        strangers=RateLimiter(1, window=3600),
        enrolments=RateLimiter(ENROL_ATTEMPTS, window=3600),
    )
    app = (
        ApplicationBuilder()
        .application_class(status.MeasuredApplication)
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(
            settings.telegram_api_file_url
            or settings.telegram_api_base_url.replace("/bot", "/file/bot")
        )
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_max_rate, max_retries=2))
        .concurrent_updates(PerChatUpdateProcessor(64))
        .request(AiohttpRequest(connections=8))
        .get_updates_request(AiohttpRequest(connections=1, read_timeout=None))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["services"] = svc
    status.reply_times(app)  # uptime counts from here

    # Group -1 is the gate: every update passes it first, and it stops strangers (and floods)
    # with ApplicationHandlerStop before any handler below can see them.
    app.add_handler(TypeHandler(Update, gate), group=-1)

    # Flows the commands start: their services come first (a quiz bank or referral flow with
    # errors stops start-up here, like any other knowledge error), and /cancel ends whichever is
    # open in the chat (the cancellers). Quiz rounds and note drafts live in the database;
    # checklists and referral routes keep their state in their buttons.
    app.bot_data[quiz.KEY] = quiz.build_service(svc)
    # Trainers' cohorts; a trainer's invite puts the recruit in a cohort as they enrol.
    app.bot_data[cohorts.KEY] = Cohorts(app.bot_data[quiz.KEY].bank, svc.access)
    app.bot_data["referral"] = refer.load_flow(knowledge)
    svc.cancellers.extend(
        [
            notes.cancel_note,
            quiz.cancel_round,
            feedback.cancel_reason,
            checks.cancel_hook(),
            refer.cancel_hook(),
        ]
    )

    # Group 0, first match wins, so order matters:
    # 1. commands, before free text, so "/topics" is never treated as a question. The table in
    # bot.core.access.commands says who may run each and where; each handler checks it first;
    commands.register(app)
    # 2. buttons, routed by their callback-data prefix;
    app.add_handler(CallbackQueryHandler(ask.open_topic, pattern=cb.route(cb.OpenTopic)))
    app.add_handler(CallbackQueryHandler(ask.more_detail, pattern=cb.route(cb.MoreDetail)))
    app.add_handler(CallbackQueryHandler(feedback.wrong_answer, pattern=cb.route(cb.WrongAnswer)))
    app.add_handler(CallbackQueryHandler(feedback.skip_button, pattern=cb.route(cb.SkipReason)))
    app.add_handler(CallbackQueryHandler(browse.browse, pattern=cb.route(cb.Browse, cb.Category)))
    app.add_handler(CallbackQueryHandler(notes.note_button, pattern=cb.route(cb.NoteStep)))
    app.add_handler(CallbackQueryHandler(quiz.button, pattern=cb.route(cb.QuizAnswer)))
    app.add_handler(CallbackQueryHandler(checks.button, pattern=cb.route(cb.Checklist)))
    app.add_handler(CallbackQueryHandler(refer.button, pattern=cb.route(cb.ReferStep)))
    app.add_handler(CallbackQueryHandler(shortcuts.go, pattern=cb.route(cb.GoCheck, cb.GoRefer)))
    # `@botname cuckooing` in any chat (strangers were answered with nothing by the gate).
    app.add_handler(InlineQueryHandler(inline.answer))
    app.add_handler(CallbackQueryHandler(_stale_button))  # any other prefix: a retired button
    # 3. an edited command is not run again; any other command gets help rather than silence.
    app.add_handler(
        MessageHandler(filters.COMMAND & filters.UpdateType.EDITED, basics.edited_command)
    )
    app.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    # 4. typed text a waiting prompt asked for: the reason for a "Wrong answer?" report, or
    # "B" typed during a quiz question. It stops here when used; otherwise the groups below
    # see it (a note draft's input, then a question).
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, _typed_input)
    )

    # Group 1: input to a flow in progress. A note draft takes typed text, a shared location
    # or a refused sticker here: the handler stops the update (ApplicationHandlerStop) when it
    # used it and lets it fall through to group 2 otherwise. It matches every private message,
    # and only the first matching handler of a group runs: another flow's input needs its own
    # group.
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            notes.flow_input,
        ),
        group=1,
    )

    # Group 2: what is left is a question (text, new or edited) or something unreadable.
    # Commands were answered in group 0 and must not be taken as questions here too.
    not_command = ~filters.COMMAND
    app.add_handler(
        MessageHandler((filters.TEXT | filters.CAPTION) & not_command, ask.ask), group=2
    )
    app.add_handler(
        MessageHandler(filters.ALL & not_command & ~filters.StatusUpdate.ALL, basics.unreadable),
        group=2,
    )

    # Daily quiz reminders are rows in the database; post_init puts them back on the job
    # queue before any update is handled, so they survive a restart.
    quiz.restore_reminders_at_start(app)
    # Gaps, feedback and notes past retention go every night (audited), not only by hand.
    schedule_retention(app)
    app.add_error_handler(on_error)
    return app


async def _typed_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    for taker in (feedback.reason_input, quiz.typed_answer):
        if await taker(update, context):
            raise ApplicationHandlerStop


async def _stale_button(update: Update, context: object) -> None:
    """A button from a version of the bot that no longer exists."""
    await update.callback_query.answer(
        "That button has expired. Please ask again.", show_alert=True
    )


async def _post_init(app: Application) -> None:
    menus.start(app)  # each role's command menu, in the background
    # The knowledge base and its index live as long as the process: keep them out of every
    # future garbage-collection pass.
    gc.collect()
    gc.freeze()


async def _post_shutdown(app: Application) -> None:
    await menus.stop(app)
    app.bot_data["services"].store.close()


def run_telegram(settings: Settings, webhook_url: str | None = None) -> int:
    """Long polling by default; a webhook with Telegram's secret token when a URL is given."""
    _fast_event_loop()
    app = build_application(settings)
    if webhook_url:
        if settings.webhook_secret is None:
            raise SettingsError("WEBHOOK_SECRET is required with a webhook (1-256 characters).")
        run_webhook(
            app,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=settings.webhook_path,
            url=webhook_url,
            secret=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
