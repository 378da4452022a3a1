from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.audit.checkpoints import stored_checkpoints
from hotline.audit.signing import NoteError, open_checkpoint, verifier_key
from hotline.audit.verify import verify_log


class Command(BaseCommand):
    help = (
        "Verify the audit log: every entry chained and unchanged, and the log still holding every checkpoint "
        "we published and, with --checkpoint, the one a party hands in. Exits 0 when intact, 1 otherwise, "
        "naming the first bad entry."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint", type=Path, action="append", default=[], help="a signed checkpoint a party kept (repeatable)"
        )

    def handle(self, *args, checkpoint, **options):
        key = verifier_key()
        try:
            handed_in = [open_checkpoint(path.read_text(encoding="utf-8"), key) for path in checkpoint]
            ours = stored_checkpoints()
        except NoteError as error:
            raise CommandError(f"checkpoint refused: {error}") from None
        except OSError as error:
            raise CommandError(f"cannot read the checkpoint: {error}") from None
        verdict = verify_log([*ours, *handed_in], workers=2)
        if verdict.ok:
            self.stdout.write(
                f"ok: {verdict.tree_size} entries, root {verdict.root.hex()}, "
                f"consistent with checkpoints of sizes {sorted(set(verdict.checked_checkpoints))}"
            )
            return
        where = (
            f"first bad entry: {verdict.first_bad_entry}" if verdict.first_bad_entry else "entries unchanged one by one"
        )
        self.stderr.write(f"AUDIT LOG NOT INTACT — {where}: {verdict.problem}")
        raise SystemExit(1)
