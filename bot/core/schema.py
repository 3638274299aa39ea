"""Every persistent model, in creation order (referenced tables first)."""

from __future__ import annotations

from bot.core.access import Audit, Invite, User
from bot.core.feedback import Feedback, Gap

# [notes import]
# [quiz import]

MODELS = [
    User,
    Invite,
    Audit,
    Gap,
    Feedback,
    # [notes models]
    # [quiz models]
]
