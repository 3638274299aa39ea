"""Every persistent model, in creation order (referenced tables first)."""

from __future__ import annotations

from bot.core.access import Audit, Invite, User
from bot.core.cohorts import Cohort, CohortInvite, CohortMember
from bot.core.feedback import Feedback, FeedbackDetail, Gap
from bot.core.keys import ServerKey
from bot.core.notes import Note, NoteChain, NoteDraft
from bot.core.notes_drafts import ConsumedMessage
from bot.core.quiz import QuizAnswer, QuizCard, QuizReminder, QuizRound

MODELS = [
    User,
    Invite,
    Audit,
    ServerKey,
    Gap,
    Feedback,
    FeedbackDetail,
    Note,
    NoteChain,
    NoteDraft,
    ConsumedMessage,
    QuizRound,
    QuizAnswer,
    QuizCard,
    QuizReminder,
    Cohort,
    CohortMember,
    CohortInvite,
]
