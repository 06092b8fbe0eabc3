"""Telegram: the same surveys in a Telegram chat, with buttons (python-telegram-bot's ``Bot``)."""
