"""The entry points that wire the core, storage, crawler and workers together: the CLI and the web app."""
