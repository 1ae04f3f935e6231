from django import forms
from django.conf import settings


class EmotionTextForm(forms.Form):
    text = forms.CharField(
        label="Text or lyrics",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "Paste lyrics or any text…"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A hint for the browser; the limit itself is enforced by the service with a message.
        self.fields["text"].help_text = f"Up to {settings.EMOTION_MAX_CHARS:,} characters."
