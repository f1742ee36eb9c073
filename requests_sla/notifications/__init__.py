"""In-app notifications, the email outbox and the organization's webhook."""
