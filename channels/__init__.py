"""Channels: SMS (Twilio), Telegram, the web chat page and the terminal."""
