"""Every persistent model, in creation order (referenced tables first)."""

from __future__ import annotations

from bot.core.access.keys import ServerKey
from bot.core.access.users import Audit, Invite, User
from bot.core.feedback import Feedback, FeedbackDetail, Gap
from bot.core.notes.drafts import ConsumedMessage
from bot.core.notes.log import Note, NoteChain, NoteDraft
from bot.core.quiz.cohorts import Cohort, CohortInvite, CohortMember
from bot.core.quiz.service import QuizAnswer, QuizCard, QuizReminder, QuizRound

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
