"""Follow-up discipline: who is owed word, the queue's actions, health facts, reminders."""
