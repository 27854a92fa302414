"""The application: settings, runner, SQL stores (threads, review queue) and the CLI."""
