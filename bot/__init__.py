"""The assistant: dialogue engine (bot.engine), rasa-sdk actions (bot.actions) and
language understanding (bot.nlu). Built in later issues; the directory comes first."""
