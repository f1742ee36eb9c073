"""Collaboration requests: filing, the lifecycle actions, comments, attachments, watchers, the queue."""
