"""The pages of analytics: the dashboard, history and share card (``dashboard``); the emotions
of a pasted text and the mood of a user's rankings (``emotions``)."""
