"""Events of music that the apps above it act on (music imports none of them).

``library_synced(sender=User, user=...)``: a sync saved every range it was asked for, after the
commit (analytics refreshes the mood). Sent robustly: a failing receiver is logged and never
undoes or interrupts a sync that has already been saved.
"""

from django.dispatch import Signal

library_synced = Signal()

# ``plays_stored(sender=Play, spotify_ids=frozenset)``: new plays reached the listening archive
# (sent by plays_store, whatever the source); analytics forgets those users' cached statistics.
plays_stored = Signal()
