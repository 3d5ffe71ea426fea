"""Language understanding: one message in, a parse (intent, needs, place, safety) out."""
