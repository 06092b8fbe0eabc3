"""``python -m bot.cli`` runs the carevoice command."""

from bot.cli.main import main

main()
