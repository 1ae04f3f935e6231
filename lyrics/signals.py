"""Events of the lyrics app that the apps above it act on (lyrics imports none of them).

``lyrics_fetched(sender=User, user=..., changed=int)``: a fetch of the user's ranked tracks
stored new lyrics (or found tracks instrumental); analytics reads the mood again.
"""

from django.dispatch import Signal

lyrics_fetched = Signal()
