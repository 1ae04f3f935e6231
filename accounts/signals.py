"""Events of accounts that the apps above it act on (accounts imports none of them).

``user_deleting(sender=User, user=...)``: sent by ``account_delete`` inside its transaction,
before the user row goes. A receiver deletes what its app keeps about the user beyond the
database cascade (MongoDB history, catalogue rows nobody else ranks, cache entries). To stop the
deletion it raises ``AccountDeleteBlocked``; the transaction is then rolled back.

``spotify_login_completed(sender=User, user=..., request=...)``: sent after a Spotify login has
stored the profile (music queues the first sync). Sent robustly: whatever a receiver does, the
login succeeds; a receiver that fails is logged and the user is told to press Sync now.
"""

from django.dispatch import Signal

user_deleting = Signal()
spotify_login_completed = Signal()
