"""The Telegram bot: the assistant where enterprises already are."""
