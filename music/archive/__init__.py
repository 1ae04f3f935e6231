"""The listening archive: every play of every user (``music.models.Play``), on node B when one
is configured. Reads in ``selectors``; the write path is ``music.services.plays``."""
