"""The notification models and boundary versions belong to the notifications app now: forgotten here,
without touching their tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_notifications"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The notifications app owns these models now (its 0001): their tables stay as they are.
            state_operations=[
                migrations.DeleteModel(
                    name="BoundaryVersion",
                ),
                migrations.RemoveField(
                    model_name="droneconflict",
                    name="first",
                ),
                migrations.RemoveField(
                    model_name="droneconflict",
                    name="second",
                ),
                migrations.RemoveField(
                    model_name="droneflight",
                    name="filed_by",
                ),
                migrations.RemoveField(
                    model_name="droneflight",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="dronevolume",
                    name="flight",
                ),
                migrations.RemoveField(
                    model_name="droneflightacknowledgement",
                    name="flight",
                ),
                migrations.RemoveField(
                    model_name="droneflightacknowledgement",
                    name="acknowledged_by",
                ),
                migrations.RemoveField(
                    model_name="droneflightacknowledgement",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="exerciseacknowledgement",
                    name="acknowledged_by",
                ),
                migrations.RemoveField(
                    model_name="exerciseacknowledgement",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="exerciseacknowledgement",
                    name="version",
                ),
                migrations.RemoveField(
                    model_name="exercisenotification",
                    name="latest",
                ),
                migrations.RemoveField(
                    model_name="exercisenotification",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="exerciseversion",
                    name="notification",
                ),
                migrations.RemoveField(
                    model_name="observationinvitation",
                    name="notification",
                ),
                migrations.RemoveField(
                    model_name="exerciseversion",
                    name="filed_by",
                ),
                migrations.DeleteModel(
                    name="NotificationPolicy",
                ),
                migrations.RemoveField(
                    model_name="observationreply",
                    name="invitation",
                ),
                migrations.RemoveField(
                    model_name="observationreply",
                    name="organisation",
                ),
                migrations.DeleteModel(
                    name="DroneConflict",
                ),
                migrations.DeleteModel(
                    name="DroneVolume",
                ),
                migrations.DeleteModel(
                    name="DroneFlight",
                ),
                migrations.DeleteModel(
                    name="DroneFlightAcknowledgement",
                ),
                migrations.DeleteModel(
                    name="ExerciseAcknowledgement",
                ),
                migrations.DeleteModel(
                    name="ExerciseNotification",
                ),
                migrations.DeleteModel(
                    name="ExerciseVersion",
                ),
                migrations.DeleteModel(
                    name="ObservationInvitation",
                ),
                migrations.DeleteModel(
                    name="ObservationReply",
                ),
            ],
            database_operations=[],
        ),
    ]
