"""Events of music that the apps above it act on (music imports none of them).

``library_synced(sender=User, user=...)``: a sync saved every range it was asked for, after the
commit (analytics refreshes the mood). Sent robustly: a failing receiver is logged and never
undoes or interrupts a sync that has already been saved.
"""

from django.dispatch import Signal

library_synced = Signal()

# ``plays_stored(sender=..., spotify_id=...)``: new plays reached the listening archive (an
# import's batch); analytics forgets that user's cached statistics.
plays_stored = Signal()
