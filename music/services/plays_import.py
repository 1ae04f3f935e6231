"""The import of Spotify's privacy export into the listening archive, as a resumable job.

``play_import_create`` stores the upload and queues the job; ``play_import_run`` (the Celery
task's body) claims it, streams every history file, stores plays in batches and saves the
cursor and counts after each batch; ``play_import_resume`` re-queues jobs whose worker died.
The archive's unique key makes every replay harmless: running an import twice adds nothing.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts.models import DEMO_READ_ONLY
from music.models import PlayImport
from music.services.export_files import (
    OTHER,
    VIDEO,
    CountingReader,
    ExportFile,
    ExportFileBroken,
    ExportUnreadable,
    export_files,
    history_items,
)
from music.services.export_plays import (
    SHORT_PLAY_MS,
    NameCatalogue,
    overlaps_drop,
    play_from_item,
)
from music.services.plays import PlayRow, plays_store
from personalify.progress import progress_set

logger = logging.getLogger(__name__)

PROGRESS_KIND = "import"
ALLOWED_SUFFIXES = (".zip", ".json")


class ImportRefused(Exception):
    """An upload that is not accepted (nothing was stored): the message says why."""


class ImportTakenOver(Exception):
    """Another worker claimed this import (this one was thought dead): stop at once."""


def import_dir_root() -> Path:
    return Path(settings.PLAY_IMPORT_DIR)


def play_import_create(*, user, files: list) -> PlayImport:
    """Store the uploaded files (Django ``UploadedFile``s: a zip, or JSON files) and queue
    their import. Raises ``ImportRefused`` (nothing stored) for a demo user, no file, a file
    that is neither .zip nor .json, or an upload over ``PLAY_IMPORT_MAX_BYTES``."""
    if user.is_demo:
        raise ImportRefused(DEMO_READ_ONLY)
    if not user.spotify_id:
        raise ImportRefused("Only an account logged in with Spotify can import its history.")
    if not files:
        raise ImportRefused("Choose your export: the zip Spotify sent, or the JSON files in it.")
    for upload in files:
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ImportRefused(
                f"{upload.name}: not a file of Spotify's export. Upload the zip Spotify sent "
                "(my_spotify_data.zip) or the .json files inside it."
            )
    total = sum(upload.size for upload in files)
    if total > settings.PLAY_IMPORT_MAX_BYTES:
        raise ImportRefused(upload_too_large(total))
    directory = import_dir_root() / uuid.uuid4().hex
    directory.mkdir(parents=True)
    names = []
    try:
        for index, upload in enumerate(files):
            # A folder per file keeps two files of the same name apart (and the name, which
            # tells the kind of file).
            target = directory / f"{index:04d}" / get_valid_filename(Path(upload.name).name)
            target.parent.mkdir()
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            names.append(Path(upload.name).name)
        job = PlayImport.objects.create(
            user=user,
            upload_names=names,
            upload_dir=str(directory),
            upload_bytes=total,
            heartbeat_at=timezone.now(),
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    progress_set(kind=PROGRESS_KIND, owner=job.pk, state="queued", step="")
    _enqueue(job.pk)
    return job


def upload_too_large(size: int) -> str:
    limit = settings.PLAY_IMPORT_MAX_BYTES
    return (
        f"The upload is {size / 2**20:,.0f} MB; this server takes at most {limit / 2**20:,.0f} MB "
        "at a time. Upload the files of the export in several goes: nothing is counted twice."
    )


def _enqueue(import_id: int) -> None:
    from music.tasks import play_import_task  # tasks import this module

    def send() -> None:
        try:
            play_import_task.delay(import_id)
        except Exception:  # noqa: BLE001 - broker down: play_import_resume sends it later
            logger.warning("import %s: broker unavailable, queued for the resume task", import_id)

    transaction.on_commit(send)


def play_import_claim(*, import_id: int) -> int | None:
    """Take the job for this worker: a queued one, or a running one whose worker went silent
    for ``PLAY_IMPORT_STALE_AFTER`` seconds. Returns the attempt number that fences every
    later write, or None when the job is someone else's or finished."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PLAY_IMPORT_STALE_AFTER)
    with transaction.atomic():
        job = (
            PlayImport.objects.select_for_update(skip_locked=True)
            .filter(pk=import_id)
            .filter(
                Q(state=PlayImport.State.QUEUED)
                | Q(state=PlayImport.State.RUNNING, heartbeat_at__lt=stale)
            )
            .first()
        )
        if job is None:
            return None
        job.attempt += 1
        job.state = PlayImport.State.RUNNING
        job.heartbeat_at = now
        job.started_at = job.started_at or now
        job.save(update_fields=["attempt", "state", "heartbeat_at", "started_at"])
        return job.attempt


READ_COUNTS = (
    "plays_read",
    "short_plays",
    "podcasts",
    "unreadable",
    "videos_skipped",
    "files_done",
)
WRITE_COUNTS = ("imported", "already_there", "tracks_added")


@dataclass
class _Batch:
    """Plays read up to a cursor, with the reader's counts at that point."""

    rows: list[PlayRow]
    to_match: list[PlayRow]  # account-data plays whose id comes from the catalogue
    file_index: int
    item_index: int
    done_bytes: int
    read_counts: dict
    problems: list
    step: str = ""


@dataclass
class _Run:
    """One run of an import: the reader's side (counts, pending plays) and the writer's."""

    job: PlayImport
    attempt: int
    on_checkpoint: Callable[[PlayImport], None] | None = None
    catalogue: NameCatalogue = field(default_factory=NameCatalogue)
    read_counts: dict = field(default_factory=dict)
    write_counts: dict = field(default_factory=dict)
    pending: list[PlayRow] = field(default_factory=list)
    pending_match: list[PlayRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.read_counts = {name: getattr(self.job, name) for name in READ_COUNTS}
        self.write_counts = {name: getattr(self.job, name) for name in WRITE_COUNTS}

    def batch(self, file_index: int, item_index: int, done_bytes: int, step: str = "") -> _Batch:
        batch = _Batch(
            self.pending,
            self.pending_match,
            file_index,
            item_index,
            done_bytes,
            dict(self.read_counts),
            list(self.job.problems),
            step,
        )
        self.pending, self.pending_match = [], []
        return batch


class _Writer:
    """Stores batches and saves checkpoints, in this thread or in a thread of its own.

    With ``PLAY_IMPORT_PIPELINE`` the reader (JSON decoding, normalisation: Python) goes on with the
    next batch while this thread waits for node B's COPY and node A's catalogue (the servers'
    own processes): the two overlap on a machine with more than one core. At most two batches
    wait in the queue, so memory stays bounded; the first error stops both sides.
    """

    def __init__(self, run: _Run, *, threaded: bool):
        self.run = run
        self.error: BaseException | None = None
        self.thread = None
        if threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(
                target=self._loop, name=f"import-{run.job.pk}", daemon=True
            )
            self.thread.start()

    def put(self, batch: _Batch) -> None:
        if self.thread is None:
            _store(self.run, batch)
            return
        while True:
            self._raise()
            try:
                self.queue.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        if self.thread is not None:
            while self.thread.is_alive():
                self._raise()
                try:
                    self.queue.put(None, timeout=0.5)
                    break
                except queue.Full:
                    continue
            self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _loop(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                _store(self.run, batch)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which raises it
            self.error = exc
        finally:
            connections.close_all()  # this thread's own connections


def play_import_run(
    *, import_id: int, attempt: int, on_checkpoint: Callable[[PlayImport], None] | None = None
) -> PlayImport:
    """Import a claimed job from its cursor to the end. ``ArchiveUnavailable`` propagates
    (the cursor is kept; the task retries); ``ImportTakenOver`` when the job was claimed again.
    ``on_checkpoint`` is called after each saved checkpoint (progress hooks, tests)."""
    job = PlayImport.objects.select_related("user").get(pk=import_id)
    run = _Run(job=job, attempt=attempt, on_checkpoint=on_checkpoint)
    try:
        files = export_files(sorted(Path(job.upload_dir).glob("*/*")))
    except (ExportUnreadable, FileNotFoundError) as exc:
        return _finish(
            run,
            error=str(exc)
            if isinstance(exc, ExportUnreadable)
            else "The uploaded files are gone; upload the export again.",
        )
    history = [f for f in files if f.kind != OTHER]
    job.files_total = sum(1 for f in history if f.kind != VIDEO)
    job.files_skipped = [
        f.name.split("/", 1)[-1] if "/" in f.name else f.name for f in files if f.kind == OTHER
    ]
    job.total_bytes = sum(f.size for f in history)
    job.save(update_fields=["files_total", "files_skipped", "total_bytes"])
    done_before = sum(f.size for f in history[: job.file_index])
    writer = _Writer(run, threaded=settings.PLAY_IMPORT_PIPELINE)
    try:
        for index in range(job.file_index, len(history)):
            export_file = history[index]
            skip = job.item_index if index == job.file_index else 0
            _file_read(run, writer, export_file, index=index, skip=skip, bytes_before=done_before)
            done_before += export_file.size
    finally:
        writer.close()
    return _finish(run)


def _file_read(
    run: _Run, writer: _Writer, export_file: ExportFile, *, index: int, skip: int, bytes_before: int
) -> None:
    counts = run.read_counts
    spotify_id = run.job.user.spotify_id
    batch_size = settings.PLAY_IMPORT_BATCH_SIZE
    position = skip
    video = export_file.kind == VIDEO
    try:
        with export_file.open() as raw:
            reader = CountingReader(raw)
            for item in history_items(reader, skip=skip):
                position += 1
                if video:
                    counts["videos_skipped"] += 1
                    continue
                counts["plays_read"] += 1
                read = play_from_item(item, kind=export_file.kind, spotify_id=spotify_id)
                if read.row is None:
                    counts["unreadable"] += 1
                    continue
                counts["podcasts"] += read.podcast
                counts["short_plays"] += read.row.ms_played < SHORT_PLAY_MS
                (run.pending_match if read.needs_match else run.pending).append(read.row)
                if len(run.pending) + len(run.pending_match) >= batch_size:
                    writer.put(run.batch(index, position, bytes_before + reader.count))
    except ExportFileBroken as exc:
        problem = {"file": export_file.name, "position": exc.position, "message": str(exc)}
        run.job.problems = [*run.job.problems, problem]
    if not video:
        counts["files_done"] += 1
    step = f"Read {export_file.name}"
    writer.put(run.batch(index + 1, 0, bytes_before + export_file.size, step))


def _store(run: _Run, batch: _Batch) -> None:
    """Store a batch's plays, then save its cursor and counts (fenced by the attempt)."""
    job, counts = run.job, run.write_counts
    rows = batch.rows
    if batch.to_match:
        with transaction.atomic():
            rows = rows + run.catalogue.match(batch.to_match)
    if rows:
        rows, overlapping = overlaps_drop(rows, spotify_id=job.user.spotify_id)
        with transaction.atomic():
            run.catalogue.add(rows)
        stored = plays_store(plays=rows)
        counts["imported"] += stored.inserted
        counts["already_there"] += stored.duplicates + overlapping
        counts["tracks_added"] += run.catalogue.tracks_added
        run.catalogue.tracks_added = 0
        if rows:
            first = min(r.played_at for r in rows)
            last = max(r.played_at for r in rows)
            job.first_played_at = min(filter(None, [job.first_played_at, first]))
            job.last_played_at = max(filter(None, [job.last_played_at, last]))
    saved = {**batch.read_counts, **counts}
    updated = PlayImport.objects.filter(pk=job.pk, attempt=run.attempt).update(
        heartbeat_at=timezone.now(),
        file_index=batch.file_index,
        item_index=batch.item_index,
        done_bytes=batch.done_bytes,
        problems=batch.problems,
        first_played_at=job.first_played_at,
        last_played_at=job.last_played_at,
        **saved,
    )
    if not updated:
        raise ImportTakenOver(f"import {job.pk} was claimed by another worker")
    for name, value in saved.items():
        setattr(job, name, value)
    job.file_index, job.item_index, job.done_bytes = (
        batch.file_index,
        batch.item_index,
        batch.done_bytes,
    )
    progress_set(
        kind=PROGRESS_KIND,
        owner=job.pk,
        state="running",
        step=batch.step or "Importing",
        done=batch.done_bytes,
        total=job.total_bytes,
    )
    if run.on_checkpoint is not None:
        run.on_checkpoint(job)


def _finish(run: _Run, *, error: str = "") -> PlayImport:
    job = run.job
    state = PlayImport.State.FAILED if error else PlayImport.State.DONE
    upload_dir = job.upload_dir
    updated = PlayImport.objects.filter(pk=job.pk, attempt=run.attempt).update(
        state=state,
        error=error,
        finished_at=timezone.now(),
        upload_dir="",
        done_bytes=F("total_bytes"),
    )
    if not updated:
        raise ImportTakenOver(f"import {job.pk} was claimed by another worker")
    if upload_dir:
        shutil.rmtree(upload_dir, ignore_errors=True)  # the upload is not kept after its import
    job.refresh_from_db()
    progress_set(
        kind=PROGRESS_KIND,
        owner=job.pk,
        state="done" if not error else "failed",
        step=job.get_state_display(),
        done=job.total_bytes,
        total=job.total_bytes,
        error=error or None,
    )
    return job


def play_import_pause(*, import_id: int, attempt: int, reason: str) -> None:
    """Leave a claimed job for a later attempt (node B down): queued, cursor kept."""
    PlayImport.objects.filter(pk=import_id, attempt=attempt).update(
        state=PlayImport.State.QUEUED, heartbeat_at=timezone.now(), error=reason
    )
    progress_set(
        kind=PROGRESS_KIND,
        owner=import_id,
        state="queued",
        step="Waiting for the listening archive",
        error=reason,
    )


def play_import_resume() -> list[int]:
    """Send again the jobs nobody is working on: queued or running with no heartbeat for
    ``PLAY_IMPORT_STALE_AFTER`` seconds (a worker that died, a broker that lost the message,
    node B that was down). Returns their ids. Claiming fences off any second sender."""
    stale = timezone.now() - timedelta(seconds=settings.PLAY_IMPORT_STALE_AFTER)
    ids = list(
        PlayImport.objects.filter(
            state__in=[PlayImport.State.QUEUED, PlayImport.State.RUNNING], heartbeat_at__lt=stale
        ).values_list("pk", flat=True)
    )
    from music.tasks import play_import_task

    for import_id in ids:
        play_import_task.delay(import_id)
    return ids


def play_import_list(*, user) -> list[PlayImport]:
    return list(PlayImport.objects.filter(user=user)[:50])


def play_uploads_delete(*, user) -> None:
    """Delete the uploads of the user's imports still on disk (account deletion; the import
    records go with the user's row)."""
    uploads = PlayImport.objects.filter(user=user).exclude(upload_dir="")
    for upload_dir in uploads.values_list("upload_dir", flat=True):
        shutil.rmtree(upload_dir, ignore_errors=True)
