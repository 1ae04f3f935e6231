"""Print how often each backend's top coarse emotion matches the labelled evaluation set."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analytics.backends import BACKEND_NAMES, EmotionBackendUnavailable, backend_get
from analytics.services import emotions_evaluate


class Command(BaseCommand):
    help = "Agreement of the emotion backends with analytics/data/eval_set.json, per split."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend",
            choices=[*BACKEND_NAMES, "all"],
            default=None,
            help="Backend to evaluate (default: local, plus huggingface when a token is set).",
        )
        parser.add_argument("--misses", action="store_true", help="List the items it got wrong.")

    def handle(self, *args, **options):
        names = (
            BACKEND_NAMES
            if options["backend"] == "all"
            else [options["backend"]]
            if options["backend"]
            else ["local"] + (["huggingface"] if settings.HUGGING_FACE_API_KEY else [])
        )
        failed = []
        for name in names:
            backend = backend_get(name)
            try:
                report = emotions_evaluate(backend=backend)
            except EmotionBackendUnavailable as exc:
                failed.append(name)
                self.stderr.write(f"{name}: unavailable ({type(exc).__name__}: {exc})")
                continue
            self.stdout.write(
                f"{name} ({report.model}): {report.correct}/{report.total} "
                f"= {report.agreement:.1%} coarse top-1 agreement"
            )
            for group, (correct, total) in report.by_group.items():
                self.stdout.write(f"  {group:28s} {correct:3d}/{total:<3d} {correct / total:6.1%}")
            if options["misses"]:
                for text, expected, got in report.misses:
                    self.stdout.write(f"  miss: {text!r} expected {expected}, got {got}")
        if failed and len(failed) == len(names):
            raise CommandError("No backend could be evaluated.")
