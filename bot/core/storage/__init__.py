"""The database: connection, models list, migrations, backups, private files, retention."""
