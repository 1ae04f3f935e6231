# The queued import says so in plain words (was "Waiting for the worker").

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("music", "0004_play_imports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="playimport",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued — starting in a moment"),
                    ("running", "Importing"),
                    ("done", "Imported"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=8,
            ),
        ),
    ]
