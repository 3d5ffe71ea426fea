"""rasa-sdk custom actions, served by `python -m rasa_sdk --actions bot.actions`."""
