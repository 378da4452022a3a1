from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who uses the console: a duty officer, supervisor, head, reviewer or administrator.

    Custom from the first migration so that organisation, role and contact details can join it without
    the pain of swapping the user model later.
    """

    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name such as Europe/Belgrade; empty: the deployment's default."
    )

    class Meta:
        db_table = "accounts_user"

    def __str__(self):
        return self.get_full_name() or self.username
